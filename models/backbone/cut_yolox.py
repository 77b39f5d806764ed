"""Cuts YOLOX-Nano (COCO, Apache-2.0, Megvii) into a per-slot feature extractor.

Keeps the backbone, the PAN and the per-stride head maps (objectness and class scores after their
sigmoids), drops the box decoding, and makes N, H and W symbolic, so the graph runs on a batch of slot
crops of any size that is a multiple of 32 (shared/STACK.md: 64, 96 and 128 work; 48 fails in a
Concat). Then it pools, inside the graph, one row per crop:

- the mean of each of the five feature maps (backbone s8 and s16, PAN s8, s16 and s32): 640 values;
- their maximum over the crop, the same 640 channels: a car is a local pattern, and a mean over a
  slot that is half ground dilutes it;
- per head stride, the largest and the mean "vehicle here" score, objectness × max(car, motorcycle,
  bus, truck), as logits: 6 values. COCO's own verdict travels well between cameras.

Output `features_raw` [N, 1286]: means, maxima, vehicle scores, in that order. Pooling in the graph, not in TypeScript, means training and the edge
read the very same numbers. Tensor names are those of the export in shared/datasets/models.

    /usr/bin/python3 models/backbone/cut_yolox.py SRC.onnx DST.onnx
"""

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

import pooling

FEATURES = ["781", "841", "952", "986", "1020"]
HEADS = ["1066", "1108", "1150"]
VEHICLE_CHANNELS = [5 + 2, 5 + 3, 5 + 5, 5 + 7]  # 4 box + 1 objectness, then COCO car, motorcycle, bus, truck


def pooled(graph: onnx.GraphProto) -> None:
    const = lambda name, value: graph.initializer.append(numpy_helper.from_array(np.array(value), name))  # noqa: E731
    const("vf_obj_start", np.array([4], dtype=np.int64))
    const("vf_obj_end", np.array([5], dtype=np.int64))
    const("vf_axis1", np.array([1], dtype=np.int64))
    const("vf_vehicle", np.array(VEHICLE_CHANNELS, dtype=np.int64))
    pooling.constants(graph)
    nodes, parts = pooling.map_stats(FEATURES)
    for name in HEADS:
        p = f"vf_{name}"
        nodes += [
            helper.make_node("Slice", [name, "vf_obj_start", "vf_obj_end", "vf_axis1"], [f"{p}_obj"]),
            helper.make_node("Gather", [name, "vf_vehicle"], [f"{p}_veh"], axis=1),
            helper.make_node("ReduceMax", [f"{p}_veh"], [f"{p}_vmax"], axes=[1], keepdims=1),
            helper.make_node("Mul", [f"{p}_obj", f"{p}_vmax"], [f"{p}_score"]),
        ]
        more, names = pooling.score_logits(f"{p}_score", p)
        nodes += more
        parts += names
    pooling.finish(graph, nodes, parts, 1286)


def main(src: str, dst: str) -> None:
    model = onnx.load(src)
    graph = model.graph
    del graph.value_info[:]
    for dim, name in zip(graph.input[0].type.tensor_type.shape.dim, ["N", None, "H", "W"]):
        if name:
            dim.ClearField("dim_value")
            dim.dim_param = name
    pooling.cut_and_pool(model, dst, FEATURES + HEADS, pooled)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
