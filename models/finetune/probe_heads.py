"""Probes on the frozen YOLOX cut, leaving camera groups out: what else a head could read, and how.

    /usr/bin/python3 models/finetune/probe_heads.py maps      # once: pooled maps of every crop (~1 min)
    /usr/bin/python3 models/finetune/probe_heads.py pooling   # centre-of-crop pooling and scores
    /usr/bin/python3 models/finetune/probe_heads.py mlp       # a small MLP instead of the linear head
    /usr/bin/python3 models/finetune/probe_heads.py self      # self-training on the left-out camera
    /usr/bin/python3 models/finetune/probe_heads.py exemplar --frames 1   # per-slot labelled exemplars
    /usr/bin/python3 models/finetune/probe_heads.py fuse --slotnet P.json --leave-out cnrpark-B

Reads the crops of `models/finetune/dump-crops.ts` and the cut in `$VOLNO_CACHE/features/yolox-cut.onnx`
(run in torch by `onnx_torch.py`). `maps` writes, per crop, for each of the five feature maps its
mean and maximum over the crop and over the crop's centre (the middle half in each direction; the
whole map below 4 × 4 cells), then the three "vehicle here" score maps cell by cell. The other
commands fit heads as `models:loco` does (standardised features, L2-regularised logistic regression,
each training group weighing the same, λ = 0.1) and print JSON: the accuracy on the left-out group's
clean slots. They are experiments: nothing ships from here, and the left-out sets choose nothing.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

from finetune import load
from onnx_torch import OnnxNet, _run

CACHE = os.path.join(os.environ.get("VOLNO_CACHE", os.path.join(os.path.dirname(__file__), "..", "..", ".volno", "cache")), "features")
CROPS = os.path.join(CACHE, "crops-letterbox-64-c0.1-s1.bin")
MAPS = os.path.join(CACHE, "probe-maps.npy")
FEATURES = ["781", "841", "952", "986", "1020"]  # backbone s8, s16; PAN s8, s16, s32 (cut_yolox.py)
CHANNELS = [64, 128, 64, 128, 256]
SCORES = ["vf_1066_score", "vf_1108_score", "vf_1150_score"]  # objectness × vehicle class, s8, s16, s32
STATS = ["gap", "gmp", "cgap", "cgmp"]
GROUPS = ["cnrpark-A", "cnrpark-B", "ufpr05", "roboflow"]


class MapsNet(OnnxNet):
    """The cut, stopped after the last score map, returning every named tensor."""

    def forward(self, images):
        env = {self.model.graph.input[0].name: images}
        for op, ins, outs, at in self.nodes:
            env[outs[0]] = _run(op, [self._get(env, i) for i in ins], at)
            if outs[0] == SCORES[-1]:
                break
        return env


def centre(m):
    h, w = m.shape[2], m.shape[3]
    return m if h < 4 else m[:, :, h // 4 : h - h // 4, w // 4 : w - w // 4]


def dump_maps():
    _, sample, _, pixels = load(CROPS)
    net = MapsNet(os.path.join(CACHE, "yolox-cut.onnx"), "features_raw")
    out = None
    with torch.no_grad():
        for i in range(0, len(sample), 256):
            env = net(torch.from_numpy(np.asarray(pixels[i : i + 256], dtype=np.float32)))
            parts = []
            for f in FEATURES:
                m, c = env[f], centre(env[f])
                parts += [m.mean((2, 3)), m.amax((2, 3)), c.mean((2, 3)), c.amax((2, 3))]
            parts += [env[s].flatten(1) for s in SCORES]
            row = torch.cat(parts, 1).numpy()
            if out is None:
                out = np.lib.format.open_memmap(MAPS, mode="w+", dtype=np.float32, shape=(len(sample), row.shape[1]))
            out[i : i + len(row)] = row
    out.flush()
    print(json.dumps({"maps": MAPS, "rows": len(sample), "dim": out.shape[1]}))


class Data:
    def __init__(self):
        samples, self.sample, self.augmented, _ = load(CROPS)
        self.samples = samples
        self.group = np.array([samples[s][0] for s in self.sample])
        self.label = np.array([samples[s][1] for s in self.sample], dtype=np.float32)
        self.holdout = np.array([samples[s][3] for s in self.sample], dtype=bool)
        self.x = np.load(MAPS, mmap_mode="r")
        off, self.cols = 0, {k: [] for k in STATS}
        for c in CHANNELS:
            for k in STATS:
                self.cols[k] += range(off, off + c)
                off += c
        grids = [(off, 8), (off + 64, 4), (off + 80, 2)]
        self.score_maps = [np.asarray(self.x[:, o : o + n * n]).reshape(-1, n, n) for o, n in grids]

    def scores(self, centred):
        """Per stride, the largest and the mean vehicle score as logits (over the crop, or its centre)."""
        cols = []
        for m in self.score_maps:
            n = m.shape[1]
            if centred and n >= 4:
                m = m[:, n // 4 : n - n // 4, n // 4 : n - n // 4]
            for v in (m.max((1, 2)), m.mean((1, 2))):
                p = np.clip(v, 1e-4, 1 - 1e-4)
                cols.append(np.log(p / (1 - p)))
        return np.stack(cols, 1)

    def features(self, names):
        """'gap+gmp+sc' is what the shipped model reads (1,286 values)."""
        parts = []
        for name in names.split("+"):
            if name in ("sc", "csc"):
                parts.append(self.scores(name == "csc"))
            else:
                parts.append(np.asarray(self.x[:, self.cols[name]]))
        return np.concatenate(parts, 1).astype(np.float32)

    def split(self, leave):
        train = np.where((self.group != leave) & ~self.holdout)[0]
        test = np.where((self.group == leave) & (self.augmented == 0))[0]
        w = np.zeros(len(self.group), np.float32)
        groups = sorted(set(self.group[train]))
        for g in groups:
            idx = train[self.group[train] == g]
            w[idx] = len(train) / (len(groups) * len(idx))
        return train, test, w


def fit_logistic(x, y, w, l2):
    """Standardises on x; loss = mean(w · logloss) + λ/2 ‖β‖², as calibration/tune/logistic.ts."""
    xt = torch.from_numpy(x).double()
    mean, std = xt.mean(0), xt.std(0) + 1e-6
    xt = (xt - mean) / std
    yt, wt = torch.from_numpy(y).double(), torch.from_numpy(w).double()
    head = torch.nn.Linear(x.shape[1], 1).double()
    opt = torch.optim.LBFGS(head.parameters(), max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        z = head(xt).squeeze(1)
        loss = (wt * torch.nn.functional.binary_cross_entropy_with_logits(z, yt, reduction="none")).mean()
        loss = loss + 0.5 * l2 * (head.weight**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return lambda q: head((torch.from_numpy(q).double() - mean) / std).squeeze(1).detach().numpy()


def fit_towards(x, y, prior_w, prior_b, l2, weights=None):
    """Logistic head on already standardised rows, shrunk towards a prior head (the generic one):
    loss = mean logloss + λ/2 ‖β − β₀‖², as calibration/tune/tune-head.ts fits a `full` head."""
    xt, yt = torch.from_numpy(x).double(), torch.from_numpy(y).double()
    wt = torch.ones(len(y), dtype=torch.float64) if weights is None else torch.from_numpy(weights).double()
    w0 = torch.from_numpy(prior_w).double()
    w = w0.clone().requires_grad_(True)
    b = torch.tensor(float(prior_b), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=100, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        each = torch.nn.functional.binary_cross_entropy_with_logits(xt @ w + b, yt, reduction="none")
        loss = (each * wt).mean() + 0.5 * l2 * ((w - w0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy(), float(b)


def accuracy(z, truth):
    return round(100 * float(((z > 0) == (truth > 0.5)).mean()), 2)


def generic(d, f, leave, l2=0.1):
    train, test, w = d.split(leave)
    return test, fit_logistic(f[train], d.label[train], w[train], l2)(f[test])


def cmd_pooling(d, a):
    for names in a.sets.split(","):
        f = d.features(names)
        row = {}
        for g in GROUPS:
            test, z = generic(d, f, g)
            row[g] = accuracy(z, d.label[test])
        print(json.dumps({"features": names, "dim": f.shape[1], **row, "worst": min(row.values())}), flush=True)


def cmd_mlp(d, a):
    f = d.features("gap+gmp+sc")
    for g in GROUPS:
        torch.manual_seed(a.seed)
        rnd = np.random.default_rng(a.seed)
        train, test, w = d.split(g)
        xt = torch.from_numpy(f[train])
        mean, std = xt.mean(0), xt.std(0) + 1e-6
        xt, xq = (xt - mean) / std, (torch.from_numpy(f[test]) - mean) / std
        y, wt = torch.from_numpy(d.label[train]), torch.from_numpy(w[train])
        net = torch.nn.Sequential(
            torch.nn.Dropout(0.2), torch.nn.Linear(f.shape[1], a.hidden), torch.nn.ReLU(), torch.nn.Dropout(0.3),
            torch.nn.Linear(a.hidden, 1),
        )
        opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=a.decay)
        by_epoch = []
        for _ in range(a.epochs):
            net.train()
            order = rnd.permutation(len(train))
            for i in range(0, len(order), 256):
                b = order[i : i + 256]
                loss = (wt[b] * torch.nn.functional.binary_cross_entropy_with_logits(
                    net(xt[b]).squeeze(1), y[b], reduction="none")).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
            net.eval()
            with torch.no_grad():
                by_epoch.append(accuracy(net(xq).squeeze(1).numpy(), d.label[test]))
        print(json.dumps({"leave_out": g, "hidden": a.hidden, "decay": a.decay, "by_epoch": by_epoch}), flush=True)


def cmd_self(d, a):
    """Pseudo-labels the left-out camera's own crops where the generic head is sure (|logit| > t) and
    fits a head on them alone; scored on all of that camera's clean crops (transductive)."""
    f = d.features("gap+gmp+sc")
    for g in GROUPS:
        test, z = generic(d, f, g)
        row = {"leave_out": g, "generic": accuracy(z, d.label[test])}
        for t in a.thresholds:
            sure = np.abs(z) > t
            y = (z[sure] > 0).astype(np.float32)
            w = np.where(y > 0.5, 0.5 / y.mean(), 0.5 / (1 - y.mean())).astype(np.float32)
            row[f"self_{t}"] = accuracy(fit_logistic(f[test[sure]], y, w, 0.1)(f[test]), d.label[test])
            row[f"pseudo_labels_{t}"] = int(sure.sum())
            row[f"pseudo_right_{t}"] = accuracy(np.where(y > 0.5, 1, -1), d.label[test[sure]])
        print(json.dumps(row), flush=True)


def cmd_exemplar(d, a):
    """K labelled frames of the left-out camera keep, per slot, their crops as exemplars; a crop of a
    later frame takes the label of its slot's nearest exemplar when it is within cosine distance τ of
    it (features standardised as the model's `features` output is: with the training cameras'
    statistics), else the head decides: the generic one, or with --tuned a head fitted on the K frames
    towards the generic one (λ 0.3, TUNE_L2; always used here, the product ships it only when its
    cross-validation says so). Mean over draws of K frames; tau_0.0 is the head alone."""
    f = d.features("gap+gmp+sc")
    for g in a.groups.split(","):
        rnd = np.random.default_rng([a.seed, GROUPS.index(g)])  # the same draws whatever --groups lists
        train, test, w = d.split(g)
        ft = f[train].astype(np.float64)
        mean, std = ft.mean(0), ft.std(0) + 1e-6
        gw, gb = fit_towards((ft - mean) / std, d.label[train], np.zeros(f.shape[1]), 0.0, 0.1, w[train])
        del ft
        x = (f[test].astype(np.float64) - mean) / std
        z = x @ gw + gb
        xn = x / np.linalg.norm(x, axis=1, keepdims=True)
        frame = np.array([d.samples[s][2] for s in d.sample[test]])
        slot = np.array([d.samples[s][4] for s in d.sample[test]])
        truth = d.label[test] > 0.5
        frames = sorted(set(frame))
        result = {}
        for _ in range(a.draws):
            labelled = list(rnd.choice(frames, a.frames, replace=False))
            mine = np.where(np.isin(frame, labelled))[0]
            ex = {}
            for i in mine:
                ex.setdefault(slot[i], []).append(i)
            rows = np.array([i for i in range(len(test)) if frame[i] not in labelled and slot[i] in ex])
            fallback = z[rows]
            if a.tuned:
                tw, tb = fit_towards(x[mine], truth[mine].astype(np.float64), gw, gb, 0.3)
                fallback = x[rows] @ tw + tb
            near, dist = np.zeros(len(rows), int), np.zeros(len(rows))
            for n, i in enumerate(rows):
                c = np.array(ex[slot[i]])
                dd = 1 - xn[c] @ xn[i]
                near[n], dist[n] = c[int(np.argmin(dd))], dd.min()
            for tau in a.tau:
                pred = np.where(dist < tau, truth[near], fallback > 0)
                result.setdefault(tau, []).append(float((pred == truth[rows]).mean()))
        print(json.dumps({"leave_out": g, "frames": a.frames, "draws": a.draws, "tuned": a.tuned,
                          **{f"tau_{t}": round(100 * float(np.mean(v)), 2) for t, v in result.items()}}), flush=True)


def cmd_fuse(d, a):
    """Mean logit of the feature head and of a SlotNet trained without the left-out group
    (`models/finetune/slotnet-probs.ts` writes its P(occupied) per clean CNRPark patch of the group)."""
    f = d.features("gap+gmp+sc")
    test, z = generic(d, f, a.leave_out)
    probs = json.load(open(a.slotnet))
    key = lambda s: f"{d.samples[s][2].split('/')[-1]}_{d.samples[s][4]}"  # noqa: E731
    p = np.array([probs[key(s)] for s in d.sample[test]], dtype=np.float64)
    zs = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))
    truth = d.label[test] > 0.5
    print(json.dumps({"leave_out": a.leave_out, "feature_head": accuracy(z, d.label[test]),
                      "slotnet": accuracy(zs, d.label[test]), "mean_logit": accuracy(z + zs, d.label[test]),
                      "error_correlation": round(float(np.corrcoef((z > 0) != truth, (zs > 0) != truth)[0, 1]), 3)}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["maps", "pooling", "mlp", "self", "exemplar", "fuse"])
    ap.add_argument("--sets", default="gap+gmp+sc,gap+gmp+sc+csc,gap+gmp+sc+cgap+cgmp,cgap+cgmp+csc")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--decay", type=float, default=0.05)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--thresholds", type=float, nargs="+", default=[2.0, 3.0])
    ap.add_argument("--frames", type=int, default=1)
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--tau", type=float, nargs="+", default=[0.0, 0.2, 0.3, 0.4, 0.5])
    ap.add_argument("--groups", default="cnrpark-A,cnrpark-B")
    ap.add_argument("--tuned", action="store_true", help="exemplar: a head tuned on the K frames decides the rest")
    ap.add_argument("--slotnet")
    ap.add_argument("--leave-out", default="cnrpark-B")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.command == "maps":
        return dump_maps()
    d = Data()
    {"pooling": cmd_pooling, "mlp": cmd_mlp, "self": cmd_self, "exemplar": cmd_exemplar, "fuse": cmd_fuse}[a.command](d, a)


if __name__ == "__main__":
    sys.exit(main())
