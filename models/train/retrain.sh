#!/usr/bin/env bash
# Retrains the shipped per-slot classifier from ../shared/datasets, end to end:
#   1. cut every training patch with the production TypeScript warp into a cache (not the repo),
#   2. train SlotNet with Debian's torch and export ONNX + model.json,
#   3. replay patches through onnxruntime-node and compare with torch (fails above 1e-4),
#   4. evaluate on the held-out sets with `volno eval`.
# Usage: bash models/train/retrain.sh [extra train.py flags]
# Env: VOLNO_DATASETS (default ../shared/datasets), VOLNO_CACHE (default .volno/cache), VOLNO_MODEL_ID.
set -euo pipefail
cd "$(dirname "$0")/../.."

ID="${VOLNO_MODEL_ID:-volno-slotnet-v1}"
SIZE=48
EXPAND=0.1
DATASETS="${VOLNO_DATASETS:-../shared/datasets}"
CACHE="${VOLNO_CACHE:-.volno/cache}/patches-${SIZE}-e${EXPAND}"
PYTHON=/usr/bin/python3 # Debian's, which has python3-torch and python3-onnx; a pyenv python first on PATH does not

"$PYTHON" -c 'import torch, onnx, numpy' || {
  echo "retrain.sh needs Debian's python3-torch, python3-onnx and python3-numpy (apt-get install ...)" >&2
  exit 2
}
npx tsx models/prepare/cut-patches.ts --size "$SIZE" --expand "$EXPAND" --out "$CACHE"
"$PYTHON" models/train/train.py --cache "$CACHE" --out "models/$ID" --id "$ID" "$@"
npx prettier --write "models/$ID/model.json" "models/$ID/training-log.json" >/dev/null # house JSON style
npx tsx models/train/check-parity.ts "models/$ID" "$CACHE"
for held_out in pklot-ufpr05/sequence4 pklot-ufpr05/sequence5 roboflow-lot1/valid; do
  node bin/volno.mjs eval "$DATASETS/$held_out" --model "models/$ID"
  echo
done
