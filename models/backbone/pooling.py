"""The per-slot pooling both detector cuts append (cut_yolox.py, cut_nanodet.py), so the two backbones'
features mean the same thing: the mean and the maximum of each feature map over the crop, then per
head stride the largest and the mean "vehicle here" score, as logits."""

import numpy as np
import onnx
from onnx import helper, numpy_helper, utils

EPS = 1e-4


def constants(graph: onnx.GraphProto) -> None:
    """The clip bounds and the one the score logits need."""
    for name, value in (("vf_lo", EPS), ("vf_hi", 1 - EPS), ("vf_one", 1.0)):
        graph.initializer.append(numpy_helper.from_array(np.array(value, dtype=np.float32), name))


def map_stats(features: list) -> tuple:
    """Nodes and output names: the mean of every map, then the maximum of every map, over H and W."""
    nodes, parts = [], []
    for stat, tag in (("ReduceMean", "gap"), ("ReduceMax", "gmp")):
        for name in features:
            nodes.append(helper.make_node(stat, [name], [f"vf_{tag}_{name}"], axes=[2, 3], keepdims=0))
            parts.append(f"vf_{tag}_{name}")
    return nodes, parts


def score_logits(score: str, prefix: str) -> tuple:
    """Nodes and output names: the largest and the mean of a [N, 1, H, W] probability map, as logits."""
    nodes, parts = [], []
    for stat in ("ReduceMax", "ReduceMean"):
        s = f"{prefix}_{stat}"
        nodes += [
            helper.make_node(stat, [score], [f"{s}_4d"], axes=[1, 2, 3], keepdims=1),
            helper.make_node("Flatten", [f"{s}_4d"], [f"{s}_p"], axis=1),
            helper.make_node("Clip", [f"{s}_p", "vf_lo", "vf_hi"], [f"{s}_c"]),
            helper.make_node("Sub", ["vf_one", f"{s}_c"], [f"{s}_q"]),
            helper.make_node("Div", [f"{s}_c", f"{s}_q"], [f"{s}_odds"]),
            helper.make_node("Log", [f"{s}_odds"], [f"{s}_logit"]),
        ]
        parts.append(f"{s}_logit")
    return nodes, parts


def finish(graph: onnx.GraphProto, nodes: list, parts: list, dim: int) -> None:
    """Concatenates the parts into the only output, `features_raw` [N, dim]."""
    nodes.append(helper.make_node("Concat", parts, ["features_raw"], axis=1))
    graph.node.extend(nodes)
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("features_raw", onnx.TensorProto.FLOAT, ["N", dim]))


def cut_and_pool(model: onnx.ModelProto, dst: str, outputs: list, pooled) -> None:
    """Saves `model` to `dst` cut from `images` to `outputs`, with `pooled(graph)` appended, checked."""
    onnx.save(model, dst)
    utils.extract_model(dst, dst, ["images"], outputs)
    cut = onnx.load(dst)
    del cut.graph.value_info[:]
    pooled(cut.graph)
    onnx.checker.check_model(cut)
    onnx.save(cut, dst)
