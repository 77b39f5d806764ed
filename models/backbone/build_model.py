"""Assembles a shipped slot classifier: the pooled YOLOX cut, then standardisation and a linear head.

    /usr/bin/python3 models/backbone/build_model.py CUT.onnx HEAD.json OUT.onnx

HEAD.json (written by models/build.ts): {"columns": [...], "mean": [...], "std": [...],
"weights": [...], "bias": b}. The graph gains two outputs:
- `features` [N, D]: the standardised features the head reads; a per-camera head fitted by staff
  labels (calibration/tune) reads the very same numbers;
- `p_occupied` [N, 1]: sigmoid(features · weights + bias).
"""

import json
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def main(cut_path: str, head_path: str, out_path: str) -> None:
    model = onnx.load(cut_path)
    head = json.load(open(head_path))
    g = model.graph
    cols = np.array(head["columns"], dtype=np.int64)
    mean = np.array(head["mean"], dtype=np.float32)
    std = np.array(head["std"], dtype=np.float32)
    w = np.array(head["weights"], dtype=np.float32).reshape(-1, 1)
    b = np.array([head["bias"]], dtype=np.float32)
    for name, value in [("head_cols", cols), ("head_mean", mean), ("head_std", std), ("head_w", w), ("head_b", b)]:
        g.initializer.append(numpy_helper.from_array(value, name))
    g.node.extend(
        [
            helper.make_node("Gather", ["features_raw", "head_cols"], ["head_selected"], axis=1),
            helper.make_node("Sub", ["head_selected", "head_mean"], ["head_centred"]),
            helper.make_node("Div", ["head_centred", "head_std"], ["features"]),
            helper.make_node("MatMul", ["features", "head_w"], ["head_matmul"]),
            helper.make_node("Add", ["head_matmul", "head_b"], ["head_logit"]),
            helper.make_node("Sigmoid", ["head_logit"], ["p_occupied"]),
        ]
    )
    del g.output[:]
    g.output.extend(
        [
            helper.make_tensor_value_info("p_occupied", onnx.TensorProto.FLOAT, ["N", 1]),
            helper.make_tensor_value_info("features", onnx.TensorProto.FLOAT, ["N", len(cols)]),
        ]
    )
    model.producer_name = "volno models/backbone/build_model.py"
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
