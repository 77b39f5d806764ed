"""Draws a seeded random sample of CNRPark patches into one numbered contact sheet, for a person to
count by eye what the labels say against what the picture shows (MODEL_CARD.md, "How far the labels
let a camera-agnostic model go").

    /usr/bin/python3 models/eval/label-audit.py --camera B --label busy --seed 12 --out /tmp/audit.png

Prints the sampled file names in sheet order (number 0 is the top left, then row by row), so a count
can be checked and repeated. Reads ../shared/datasets (or $VOLNO_DATASETS); writes nothing else.
"""

import argparse
import os
import random

from PIL import Image, ImageDraw


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "..", "shared", "datasets")
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default=os.environ.get("VOLNO_DATASETS") or default)
    ap.add_argument("--camera", choices=["A", "B"], required=True)
    ap.add_argument("--label", choices=["busy", "free"], required=True)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--count", type=int, default=96)
    ap.add_argument("--columns", type=int, default=12)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    folder = os.path.join(a.datasets, "cnrpark-patches", "CNRPark-Patches-150x150", a.camera, a.label)
    files = sorted(os.listdir(folder))
    pick = random.Random(a.seed).sample(files, min(a.count, len(files)))
    rows = (len(pick) + a.columns - 1) // a.columns
    sheet = Image.new("RGB", (a.columns * 100, rows * 100), "white")
    draw = ImageDraw.Draw(sheet)
    for i, name in enumerate(pick):
        x, y = (i % a.columns) * 100, (i // a.columns) * 100
        sheet.paste(Image.open(os.path.join(folder, name)).convert("RGB").resize((96, 96)), (x, y))
        draw.text((x + 2, y + 2), str(i), fill=(255, 0, 0))
        print(i, name)
    sheet.save(a.out)


if __name__ == "__main__":
    main()
