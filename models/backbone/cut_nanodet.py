"""Cuts NanoDet-m (COCO, Apache-2.0, RangiLyu; the ONNX export in shared/datasets/models/nanodet-m) into a
per-slot feature extractor, the way cut_yolox.py cuts YOLOX-Nano, for `models:loco` to compare.

The export is fixed at batch 1 and 320 px: its ShuffleNetV2 channel shuffles reshape to literal
shapes. They are rewritten for a batch of any size and a square input of SIZE px (a multiple of 32).
The input becomes `images`, BGR 0–255 like the YOLOX cut's, normalised inside the graph with
NanoDet's mean and std. Pooled per crop, as for YOLOX: the mean and the maximum of the backbone's
three stages (116, 232, 464 channels) and the PAN's three outputs (96 each), then per head stride the
largest and the mean vehicle score (max over car, motorcycle, bus, truck of the GFL class score) as
logits. Output `features_raw` [N, 2206].

    /usr/bin/python3 models/backbone/cut_nanodet.py SRC.onnx DST.onnx [SIZE]
"""

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

import pooling

FEATURES = ["528", "743", "846", "861", "867", "873"]
CLASS_MAPS = ["889", "911", "933"]  # sigmoid class scores [N, 80, H, W] per stride 8, 16, 32
VEHICLE = [2, 3, 5, 7]
MEAN = [103.53, 116.28, 123.675]
STD = [57.375, 57.12, 58.395]


def rewrite_shapes(graph: onnx.GraphProto, size: int) -> None:
    """Batch-free channel shuffles for a SIZE-px input (the export has 320 px, batch 1): each shuffle
    reshapes [1, 2C, H, W] to [1, 2, C, H, W] and back with [1, -1, H, W]."""
    scale = size / 320
    shapes = [
        (init, v)
        for init in graph.initializer
        for v in [numpy_helper.to_array(init)]
        if v.dtype == np.int64 and v.ndim == 1 and len(v) in (4, 5) and v[0] == 1
    ]
    channels = {}  # H of the export -> 2C, from the 5-d shapes
    for init, v in shapes:
        if len(v) == 5:
            channels[int(v[3])] = int(2 * v[2])
            new = [-1, 2, v[2], int(v[3] * scale), int(v[4] * scale)]
            init.CopyFrom(numpy_helper.from_array(np.array(new, dtype=np.int64), init.name))
    for init, v in shapes:
        if len(v) == 4 and v[1] == -1:
            new = [-1, channels[int(v[2])], int(v[2] * scale), int(v[3] * scale)]
            init.CopyFrom(numpy_helper.from_array(np.array(new, dtype=np.int64), init.name))


def pooled(graph: onnx.GraphProto) -> None:
    graph.initializer.append(numpy_helper.from_array(np.array(VEHICLE, dtype=np.int64), "vf_vehicle"))
    pooling.constants(graph)
    nodes, parts = pooling.map_stats(FEATURES)
    for name in CLASS_MAPS:
        p = f"vf_{name}"
        nodes += [
            helper.make_node("Gather", [name, "vf_vehicle"], [f"{p}_veh"], axis=1),
            helper.make_node("ReduceMax", [f"{p}_veh"], [f"{p}_score"], axes=[1], keepdims=1),
        ]
        more, names = pooling.score_logits(f"{p}_score", p)
        nodes += more
        parts += names
    pooling.finish(graph, nodes, parts, 2206)


def main(src: str, dst: str, size: int = 64) -> None:
    model = onnx.load(src)
    graph = model.graph
    del graph.value_info[:]
    # Weights listed as graph inputs (an old exporter's habit) would become inputs of the cut.
    names = {i.name for i in graph.initializer}
    kept = [i for i in graph.input if i.name not in names]
    del graph.input[:]
    graph.input.extend(kept)
    rewrite_shapes(graph, size)
    old = graph.input[0].name
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name == old:
                node.input[k] = "nd_normalised"
    graph.initializer.append(numpy_helper.from_array(np.array(MEAN, dtype=np.float32).reshape(1, 3, 1, 1), "nd_mean"))
    graph.initializer.append(numpy_helper.from_array(np.array(STD, dtype=np.float32).reshape(1, 3, 1, 1), "nd_std"))
    pre = [
        helper.make_node("Sub", ["images", "nd_mean"], ["nd_centred"]),
        helper.make_node("Div", ["nd_centred", "nd_std"], ["nd_normalised"]),
    ]
    body = list(graph.node)
    del graph.node[:]
    graph.node.extend(pre + body)
    del graph.input[:]
    graph.input.append(helper.make_tensor_value_info("images", onnx.TensorProto.FLOAT, ["N", 3, size, size]))
    pooling.cut_and_pool(model, dst, FEATURES + CLASS_MAPS, pooled)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 64)
