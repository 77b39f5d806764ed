"""Trains SlotNet on the patch cache and writes a commit-ready model directory.

    /usr/bin/python3 models/train/train.py --cache DIR --out models/<id> --id <id> [--val-groups cnrpark/B]

Writes <out>/model.onnx, <out>/model.json (the manifest the runtime validates), <out>/training-log.json,
and <cache>/parity-<id>.{f32,json} for models/train/check-parity.ts (onnxruntime-node vs torch).
Deterministic for a given cache, seed and thread count.
"""
import argparse
import hashlib
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from augment import augment
from slotnet import Exported, SlotNet
from volno_data import MEAN, SCALE, STD, load_cache

FAMILIES = ("cnrpark", "ufpr05", "roboflow")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cache", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--id", required=True)
    p.add_argument("--val-groups", default="", help="comma-separated groups held out for validation")
    p.add_argument("--exclude-groups", default="", help="comma-separated group prefixes never used")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--epoch-size", type=int, default=16384)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--width", type=int, default=16)
    # One thread: on the shared 2-core box, OpenMP with 2 threads ran 8x slower than 1 (spin-waiting
    # against other processes); measured with models/train/train.py --epochs 1.
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threshold", type=float, default=0.5)
    return p.parse_args()


def family(group):
    return group.split("/")[0]


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    index, patches = load_cache(args.cache)
    items = index["items"]
    groups = np.array([it["group"] for it in items])
    labels = np.array([it["label"] for it in items], dtype=np.float32)
    variants = np.array([it["variant"] for it in items])
    val_groups = [g for g in args.val_groups.split(",") if g]
    excluded = [g for g in args.exclude_groups.split(",") if g]
    is_val = np.isin(groups, val_groups)
    is_excluded = np.array([any(g.startswith(e) for e in excluded) for g in groups])
    train_idx = np.nonzero(~is_val & ~is_excluded)[0]
    val_idx = np.nonzero(is_val & (variants == 0))[0]

    # Each dataset family gets the same share of every epoch, so the 25k CNRPark patches of one car
    # park do not drown the other cameras: generalisation across cameras is the goal.
    fam = np.array([family(g) for g in groups[train_idx]])
    present = [f for f in FAMILIES if (fam == f).any()]
    weights = np.zeros(len(train_idx))
    for f in present:
        mask = fam == f
        weights[mask] = 1.0 / (mask.sum() * len(present))
    counts = {g: int((groups[train_idx] == g).sum()) for g in sorted(set(groups[train_idx]))}
    print(json.dumps({"train_patches": counts, "val_patches": int(len(val_idx))}), flush=True)

    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    # channels_last makes torch use oneDNN convolutions; Debian's build otherwise falls back to a
    # generic BLAS im2col that was 5x slower here.
    net = SlotNet(width=args.width).to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=5e-4)
    steps = args.epochs * (args.epoch_size // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    data = torch.from_numpy(patches)
    y_all = torch.from_numpy(labels)
    rng = np.random.default_rng(args.seed)
    log = []
    started = time.time()
    for epoch in range(args.epochs):
        net.train()
        picks = rng.choice(train_idx, size=args.epoch_size, p=weights)
        total, seen = 0.0, 0
        for b in range(args.epoch_size // args.batch):
            idx = torch.from_numpy(picks[b * args.batch : (b + 1) * args.batch])
            x = augment(data[idx].float() * SCALE)
            x = ((x - mean) / std).contiguous(memory_format=torch.channels_last)
            y = y_all[idx]
            # Label smoothing: some labels in every public set are wrong (half-visible cars, Roboflow crops).
            loss = F.binary_cross_entropy_with_logits(net(x), y * 0.95 + 0.025)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
            seen += len(idx)
        entry = {"epoch": epoch + 1, "loss": round(total / seen, 4), "seconds": round(time.time() - started, 1)}
        if len(val_idx):
            entry.update(evaluate(net, data, y_all, val_idx, groups, mean, std, args.threshold))
        log.append(entry)
        print(json.dumps(entry), flush=True)

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    export(net, onnx_path, index["size"])
    write_manifest(args, index, onnx_path)
    write_parity(net, data, train_idx, mean, std, args)
    with open(os.path.join(args.out, "training-log.json"), "w") as f:
        json.dump(
            {
                "id": args.id,
                "parameters": params,
                "cache": {k: index.get(k) for k in ("format", "size", "expand", "seed", "jitter", "backgrounds", "holdout", "count")},
                "train_patches": counts,
                "val_groups": val_groups,
                "excluded_groups": excluded,
                "recipe": {k: getattr(args, k) for k in ("epochs", "epoch_size", "batch", "lr", "width", "seed", "threads")},
                "epochs": log,
            },
            f,
            indent=1,
        )
    print(json.dumps({"out": args.out, "parameters": params, "bytes": os.path.getsize(onnx_path)}), flush=True)


@torch.no_grad()
def evaluate(net, data, y_all, idx, groups, mean, std, threshold):
    net.eval()
    probs = []
    for s in range(0, len(idx), 512):
        part = torch.from_numpy(idx[s : s + 512])
        x = ((data[part].float() * SCALE - mean) / std).contiguous(memory_format=torch.channels_last)
        probs.append(torch.sigmoid(net(x)))
    p = torch.cat(probs).numpy()
    y = y_all[torch.from_numpy(idx)].numpy()
    out = {}
    for g in sorted(set(groups[idx])):
        m = groups[idx] == g
        out[f"val_acc_{g}"] = round(float(((p[m] >= threshold) == (y[m] > 0.5)).mean()), 4)
    return out


def export(net, path, size):
    net.eval()
    net.to(memory_format=torch.contiguous_format)
    model = Exported(net)
    dummy = torch.zeros(2, 3, size, size)
    torch.onnx.export(
        model,
        dummy,
        path,
        input_names=["patches"],
        output_names=["p_occupied"],
        dynamic_axes={"patches": {0: "n"}, "p_occupied": {0: "n"}},
        opset_version=13,
        do_constant_folding=True,
    )
    import onnx

    onnx.checker.check_model(onnx.load(path))


def write_manifest(args, index, onnx_path):
    with open(onnx_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    size = index["size"]
    manifest = {
        "schema_version": 1,
        "id": args.id,
        "kind": "classifier",
        "description": "Volno SlotNet: per-slot occupancy CNN trained on CNRPark, PKLot UFPR05 and a Roboflow lot; see MODEL_CARD.md.",
        "file": "model.onnx",
        "sha256": digest,
        "input": {
            "name": "patches",
            "width": size,
            "height": size,
            "layout": "NCHW",
            "pixel_format": "rgb",
            "scale": SCALE,
            "mean": list(MEAN),
            "std": list(STD),
        },
        "labels": ["free", "occupied"],
        "threshold": args.threshold,
        "classifier": {"output": "p_occupied", "activation": "none", "occupied_index": 1, "expand": index["expand"]},
        "source": "trained by models/train/retrain.sh from ../shared/datasets (see MODEL_CARD.md)",
        "license": "weights: MIT (Volno); training data: CNRPark (ISTI-CNR), PKLot CC BY 4.0, Roboflow parking-space-uffuo v22 CC BY 4.0",
    }
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


@torch.no_grad()
def write_parity(net, data, train_idx, mean, std, args):
    """A few real patches and torch's answers, for check-parity.ts to replay through onnxruntime-node."""
    net.eval()
    pick = torch.from_numpy(train_idx[:: max(1, len(train_idx) // 16)][:16])
    x = (data[pick].float() * SCALE - mean) / std
    p = torch.sigmoid(net(x))
    base = os.path.join(args.cache, f"parity-{args.id}")
    x.numpy().astype("<f4").tofile(base + ".f32")
    with open(base + ".json", "w") as f:
        json.dump({"count": int(len(pick)), "size": int(x.shape[-1]), "p": [float(v) for v in p]}, f)


if __name__ == "__main__":
    main()
