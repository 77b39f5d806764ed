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
from onnx import helper, numpy_helper, utils

FEATURES = ["781", "841", "952", "986", "1020"]
HEADS = ["1066", "1108", "1150"]
VEHICLE_CHANNELS = [5 + 2, 5 + 3, 5 + 5, 5 + 7]  # 4 box + 1 objectness, then COCO car, motorcycle, bus, truck
EPS = 1e-4


def pooled(graph: onnx.GraphProto) -> None:
    const = lambda name, value: graph.initializer.append(numpy_helper.from_array(np.array(value), name))  # noqa: E731
    const("vf_obj_start", np.array([4], dtype=np.int64))
    const("vf_obj_end", np.array([5], dtype=np.int64))
    const("vf_axis1", np.array([1], dtype=np.int64))
    const("vf_vehicle", np.array(VEHICLE_CHANNELS, dtype=np.int64))
    const("vf_lo", np.array(EPS, dtype=np.float32))
    const("vf_hi", np.array(1 - EPS, dtype=np.float32))
    const("vf_one", np.array(1.0, dtype=np.float32))
    nodes, parts = [], []
    for stat, tag in (("ReduceMean", "gap"), ("ReduceMax", "gmp")):
        for name in FEATURES:
            nodes.append(helper.make_node(stat, [name], [f"vf_{tag}_{name}"], axes=[2, 3], keepdims=0))
            parts.append(f"vf_{tag}_{name}")
    for name in HEADS:
        p = f"vf_{name}"
        nodes += [
            helper.make_node("Slice", [name, "vf_obj_start", "vf_obj_end", "vf_axis1"], [f"{p}_obj"]),
            helper.make_node("Gather", [name, "vf_vehicle"], [f"{p}_veh"], axis=1),
            helper.make_node("ReduceMax", [f"{p}_veh"], [f"{p}_vmax"], axes=[1], keepdims=1),
            helper.make_node("Mul", [f"{p}_obj", f"{p}_vmax"], [f"{p}_score"]),
        ]
        for stat in ("ReduceMax", "ReduceMean"):
            s = f"{p}_{stat}"
            nodes += [
                helper.make_node(stat, [f"{p}_score"], [f"{s}_4d"], axes=[1, 2, 3], keepdims=1),
                helper.make_node("Flatten", [f"{s}_4d"], [f"{s}_p"], axis=1),
                helper.make_node("Clip", [f"{s}_p", "vf_lo", "vf_hi"], [f"{s}_c"]),
                helper.make_node("Sub", ["vf_one", f"{s}_c"], [f"{s}_q"]),
                helper.make_node("Div", [f"{s}_c", f"{s}_q"], [f"{s}_odds"]),
                helper.make_node("Log", [f"{s}_odds"], [f"{s}_logit"]),
            ]
            parts.append(f"{s}_logit")
    nodes.append(helper.make_node("Concat", parts, ["features_raw"], axis=1))
    graph.node.extend(nodes)
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("features_raw", onnx.TensorProto.FLOAT, ["N", 1286]))


def main(src: str, dst: str) -> None:
    model = onnx.load(src)
    graph = model.graph
    del graph.value_info[:]
    for dim, name in zip(graph.input[0].type.tensor_type.shape.dim, ["N", None, "H", "W"]):
        if name:
            dim.ClearField("dim_value")
            dim.dim_param = name
    onnx.save(model, dst)
    utils.extract_model(dst, dst, ["images"], FEATURES + HEADS)
    cut = onnx.load(dst)
    del cut.graph.value_info[:]
    pooled(cut.graph)
    onnx.checker.check_model(cut)
    onnx.save(cut, dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
