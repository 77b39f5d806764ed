"""Reads the patch cache written by models/prepare/cut-patches.ts (numpy only, no torch).

The cache holds patches cut by the production TypeScript warp, as bytes. This module is the one
place that turns them into model input, with the same normalisation the manifest gives
onnxruntime at inference: value * scale, minus mean, divided by std, per RGB channel.
test/models/patch-parity.test.ts runs `--dump` and compares with the TypeScript pipeline.
"""
import argparse
import json
import os

import numpy as np

CACHE_FORMAT = "volno-patches-1"

# Normalisation written into model.json; kept here so training and the manifest cannot drift.
SCALE = 1.0 / 255.0
MEAN = (0.5, 0.5, 0.5)
STD = (0.25, 0.25, 0.25)


def load_cache(cache_dir):
    """Returns (index dict, uint8 array N x 3 x S x S, RGB planes)."""
    with open(os.path.join(cache_dir, "index.json")) as f:
        index = json.load(f)
    if index.get("format") != CACHE_FORMAT:
        raise ValueError(f"{cache_dir}: cache format {index.get('format')!r}, expected {CACHE_FORMAT}")
    size = index["size"]
    raw = np.fromfile(os.path.join(cache_dir, "patches.u8"), dtype=np.uint8)
    expected = index["count"] * 3 * size * size
    if raw.size != expected:
        raise ValueError(f"{cache_dir}: patches.u8 has {raw.size} bytes, index says {expected}")
    return index, raw.reshape(index["count"], 3, size, size)


def normalise(patches_u8):
    """uint8 N x 3 x S x S -> float32 model input, exactly as the manifest tells onnxruntime."""
    x = patches_u8.astype(np.float32) * np.float32(SCALE)
    mean = np.asarray(MEAN, dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.asarray(STD, dtype=np.float32).reshape(1, 3, 1, 1)
    return (x - mean) / std


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cache")
    parser.add_argument("--dump", required=True, help="write normalised float32 patches here (little-endian)")
    parser.add_argument("--indices", default="", help="comma-separated patch indices (default: all)")
    args = parser.parse_args()
    index, patches = load_cache(args.cache)
    picked = [int(i) for i in args.indices.split(",") if i] or list(range(index["count"]))
    normalise(patches[picked]).astype("<f4").tofile(args.dump)
    print(json.dumps({"count": len(picked), "size": index["size"], "scale": SCALE, "mean": MEAN, "std": STD}))


if __name__ == "__main__":
    main()
