"""Fine-tunes the pooled YOLOX cut and a linear head on slot crops, leaving camera groups out.

    /usr/bin/python3 models/finetune/finetune.py --crops CROPS.bin --cut yolox-cut.onnx \
        [--leave-out cnrpark-B | --leave-out none --out TUNED.onnx] [--epochs 2] [--seed 1]

Reads the crops written by `models/finetune/dump-crops.ts`. Trains on every group but the left-out
one (and never on the held-out sets), each group weighing the same in the loss, with random 90° turns
and mirrors on top of the crops' own augmentation, and pulls the backbone towards its COCO weights
(L2-SP) so it keeps what made it travel. Prints JSON: the left-out group's accuracy before (head
only) and after each epoch. With --out, writes the cut with the tuned backbone (same graph).
Deterministic on one machine: fixed seeds, fixed thread count.
"""

import argparse
import json
import sys
import time

import numpy as np
import torch

from onnx_torch import OnnxNet


def load(path):
    with open(path, "rb") as f:
        header = json.loads(f.readline())
        rest = f.read()
    rows = header["rows"]
    sample = np.frombuffer(rest[: rows * 4], dtype=np.int32)
    augmented = np.frombuffer(rest[rows * 4 : rows * 5], dtype=np.uint8)
    size = header["size"]
    pixels = np.memmap(header["pixels"], dtype=np.uint8, mode="r", shape=(rows, 3, size, size))
    return header["samples"], sample, augmented, pixels


def augment(x, y, rnd, zoom, occlude):
    """Views the crops' own augmentation lacks: 90° turns and mirrors (top-down lots); a near camera
    (`zoom`: a window of 45–80 % of the crop, near its centre, blown up, so a car fills it and shows
    only a part of itself); an occluder (`occlude`: a piece of a free crop, up to a third of the area,
    pasted over, as a tree or a post hides part of a slot; the label stays)."""
    n, _, h, w = x.shape
    k = int(rnd.integers(4))
    if k:
        x = torch.rot90(x, k, dims=(2, 3))
    if rnd.random() < 0.5:
        x = torch.flip(x, dims=(3,))
    if zoom > 0:
        pick = rnd.random(n) < zoom
        if pick.any():
            s = rnd.uniform(0.45, 0.8, n)
            s[~pick] = 1.0
            t = rnd.uniform(-0.1, 0.1, (n, 2)) * (1 - s)[:, None] * 2
            theta = np.zeros((n, 2, 3), dtype=np.float32)
            theta[:, 0, 0] = s
            theta[:, 1, 1] = s
            theta[:, :, 2] = t
            grid = torch.nn.functional.affine_grid(torch.from_numpy(theta), list(x.shape), align_corners=False)
            x = torch.nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    if occlude > 0:
        free = np.where(y < 0.5)[0]
        if len(free) > 0:
            x = x.clone()
            for i in np.where(rnd.random(n) < occlude)[0]:
                src = int(free[rnd.integers(len(free))])
                if src == i:
                    continue
                ph, pw = int(rnd.integers(h // 5, h // 2)), int(rnd.integers(w // 5, w // 2 + 8))
                pw = min(pw, w)
                r0, c0 = int(rnd.integers(h - ph + 1)), int(rnd.integers(w - pw + 1))
                x[i, :, r0 : r0 + ph, c0 : c0 + pw] = x[src, :, r0 : r0 + ph, c0 : c0 + pw]
    return x


def features(net, pixels, rows, batch=256):
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), batch):
            out.append(net(torch.from_numpy(np.asarray(pixels[rows[i : i + batch]], dtype=np.float32))))
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crops", required=True)
    ap.add_argument("--cut", required=True)
    ap.add_argument("--leave-out", default="none")
    ap.add_argument("--out")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--sp", type=float, default=1e-2, help="L2-SP pull towards the COCO weights")
    ap.add_argument("--l2", type=float, default=0.1, help="head L2, as the TypeScript head's lambda")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--limit", type=int, default=0, help="train rows per epoch (0: all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zoom", type=float, default=0.0, help="share of crops seen as by a near camera")
    ap.add_argument("--occlude", type=float, default=0.0, help="share of crops with an occluder")
    ap.add_argument("--parity-out", help="write torch's features of 256 crops here, for check-parity.ts")
    ap.add_argument("--probe", type=int, default=20000, help="rows the frozen-backbone head is fitted on")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rnd = np.random.default_rng(a.seed)
    samples, sample, augmented, pixels = load(a.crops)
    group = np.array([samples[s][0] for s in sample])
    label = np.array([samples[s][1] for s in sample], dtype=np.float32)
    holdout = np.array([samples[s][3] for s in sample], dtype=bool)
    train = np.where((group != a.leave_out) & ~holdout)[0]
    test = np.where((group == a.leave_out) & (augmented == 0))[0]
    groups = sorted(set(group[train]))
    weight = np.zeros(len(sample), dtype=np.float32)
    for g in groups:
        idx = train[group[train] == g]
        weight[idx] = len(train) / (len(groups) * len(idx))
    net = OnnxNet(a.cut, "features_raw")
    start = {k: p.detach().clone() for k, p in net.params.items()}
    log = {"leave_out": a.leave_out, "train_rows": int(len(train)), "test_rows": int(len(test)), "epochs": []}

    # Standardiser and head from the frozen backbone first (what the TypeScript head does).
    t0 = time.time()
    probe = np.sort(rnd.choice(train, size=min(len(train), a.probe), replace=False))
    with torch.no_grad():
        chunks = []
        for i in range(0, len(probe), 256):
            idx = probe[i : i + 256]
            x = torch.from_numpy(np.asarray(pixels[idx], dtype=np.float32))
            chunks.append(net(augment(x, label[idx], rnd, a.zoom, a.occlude)))
        f = torch.cat(chunks)
    mean, std = f.mean(0), f.std(0) + 1e-6
    head = torch.nn.Linear(f.shape[1], 1)
    fz = (f - mean) / std
    y = torch.from_numpy(label[probe])
    w = torch.from_numpy(weight[probe])
    opt = torch.optim.LBFGS(head.parameters(), max_iter=150, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        z = head(fz).squeeze(1)
        loss = (w * torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none")).mean()
        loss = loss + 0.5 * a.l2 * (head.weight**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    print(f"head fitted in {time.time() - t0:.0f} s", file=sys.stderr)

    def evaluate():
        if len(test) == 0:
            return None
        with torch.no_grad():
            z = head((features(net, pixels, test) - mean) / std).squeeze(1).numpy()
        logits.append(z)
        return score(z)

    def score(z):
        pred = z > 0
        truth = label[test] > 0.5
        return {"accuracy": float((pred == truth).mean()), "fp": int((pred & ~truth).sum()), "fn": int((~pred & truth).sum())}

    logits = []
    log["epochs"].append({"epoch": 0, **(evaluate() or {})})
    print(json.dumps(log["epochs"][-1]), file=sys.stderr)
    opt = torch.optim.Adam([{"params": net.parameters(), "lr": a.lr}, {"params": head.parameters(), "lr": a.lr * 3}])
    for epoch in range(1, a.epochs + 1):
        t0 = time.time()
        order = rnd.permutation(train)
        if a.limit:
            order = order[: a.limit]
        net.train()
        total = 0.0
        for i in range(0, len(order), a.batch):
            idx = np.sort(order[i : i + a.batch])
            x = torch.from_numpy(np.asarray(pixels[idx], dtype=np.float32))
            x = augment(x, label[idx], rnd, a.zoom, a.occlude)
            z = head((net(x) - mean) / std).squeeze(1)
            loss = (torch.from_numpy(weight[idx]) * torch.nn.functional.binary_cross_entropy_with_logits(
                z, torch.from_numpy(label[idx]), reduction="none")).mean()
            sp = sum(((p - start[k2]) ** 2).sum() for k2, p in net.params.items())
            loss = loss + a.sp * sp + 0.5 * a.l2 * (head.weight**2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss)
            if (i // a.batch) % 100 == 0:
                print(f"  epoch {epoch} step {i // a.batch} loss {total / (i // a.batch + 1):.4f} {time.time() - t0:.0f} s", file=sys.stderr)
        result = {"epoch": epoch, "seconds": round(time.time() - t0), **(evaluate() or {})}
        log["epochs"].append(result)
        print(json.dumps(result), file=sys.stderr)
    if len(logits) > 2:
        # The mean logit of the tuned epochs: one fine-tune's epochs disagree on a new camera by several points.
        log["epoch_mean"] = score(np.mean(logits[1:], axis=0))
        print(json.dumps(log["epoch_mean"]), file=sys.stderr)
    if a.out:
        net.write_back(a.out)
    if a.parity_out:
        rows = np.linspace(0, len(sample) - 1, 256).astype(np.int64)
        f = features(net, pixels, rows)
        with open(a.parity_out, "w") as out:
            json.dump({"crops": a.crops, "rows": rows.tolist(), "features": f.flatten().tolist()}, out)
    print(json.dumps(log))


if __name__ == "__main__":
    main()
