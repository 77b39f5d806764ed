"""Runs an ONNX graph in torch, with its float initialisers as trainable parameters.

Enough of ONNX for the pooled YOLOX cut (`models/backbone/cut_yolox.py`): Conv, Sigmoid, Mul, Add,
Sub, Div, Log, Concat, Slice, MaxPool, Resize (nearest, asymmetric, floor), ReduceMean, ReduceMax,
Gather, Flatten, Clip. The graph is not rebuilt: the fine-tune writes the trained tensors back into
the very initialisers they came from (`write_back`), so the shipped ONNX keeps the graph that
onnxruntime-node already runs.
"""

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxNet(torch.nn.Module):
    def __init__(self, path: str, output: str):
        super().__init__()
        self.model = onnx.load(path)
        self.output = output
        self.nodes = [(n.op_type, list(n.input), list(n.output), _attrs(n)) for n in self.model.graph.node]
        conv_inputs = {i for op, ins, _, _ in self.nodes if op == "Conv" for i in ins[1:]}
        self.params = torch.nn.ParameterDict()
        self.consts = {}
        self.key = {}
        for init in self.model.graph.initializer:
            value = torch.from_numpy(numpy_helper.to_array(init).copy())
            if init.name in conv_inputs:
                key = f"p{len(self.key)}"
                self.key[init.name] = key
                self.params[key] = torch.nn.Parameter(value.float())
            else:
                self.consts[init.name] = value

    def _get(self, env, name):
        if name == "":
            return None
        if name in env:
            return env[name]
        if name in self.key:
            return self.params[self.key[name]]
        return self.consts[name]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        env = {self.model.graph.input[0].name: images}
        for op, ins, outs, at in self.nodes:
            x = [self._get(env, i) for i in ins]
            env[outs[0]] = _run(op, x, at)
        return env[self.output]

    def write_back(self, path: str) -> None:
        """Saves the graph with the trained parameters in place of the initialisers they came from."""
        for init in self.model.graph.initializer:
            if init.name in self.key:
                value = self.params[self.key[init.name]].detach().cpu().numpy().astype(np.float32)
                init.CopyFrom(numpy_helper.from_array(value, init.name))
        onnx.checker.check_model(self.model)
        onnx.save(self.model, path)


def _run(op, x, at):
    if op == "Conv":
        pads = at.get("pads", [0, 0, 0, 0])
        assert pads[0] == pads[2] and pads[1] == pads[3], "asymmetric padding"
        return F.conv2d(
            x[0], x[1], x[2] if len(x) > 2 else None, tuple(at.get("strides", [1, 1])), (pads[0], pads[1]),
            tuple(at.get("dilations", [1, 1])), at.get("group", 1),
        )
    if op == "Sigmoid":
        return torch.sigmoid(x[0])
    if op == "Mul":
        return x[0] * x[1]
    if op == "Add":
        return x[0] + x[1]
    if op == "Sub":
        return x[0] - x[1]
    if op == "Div":
        return x[0] / x[1]
    if op == "Log":
        return torch.log(x[0])
    if op == "Concat":
        return torch.cat(x, dim=at["axis"])
    if op == "Flatten":
        return torch.flatten(x[0], start_dim=at.get("axis", 1))
    if op == "Clip":
        return torch.clamp(x[0], float(x[1]), float(x[2]))
    if op == "Gather":
        return torch.index_select(x[0], at.get("axis", 0), x[1].long())
    if op == "MaxPool":
        k, s, p = at["kernel_shape"], at.get("strides", [1, 1]), at.get("pads", [0, 0, 0, 0])
        return F.max_pool2d(x[0], tuple(k), tuple(s), (p[0], p[1]))
    if op == "Resize":
        assert at.get("mode") == b"nearest"
        scales = x[2].tolist()
        return F.interpolate(x[0], scale_factor=(scales[2], scales[3]), mode="nearest")
    if op == "Slice":
        data = x[0]
        starts, ends = x[1].tolist(), x[2].tolist()
        axes = x[3].tolist() if len(x) > 3 and x[3] is not None else list(range(len(starts)))
        steps = x[4].tolist() if len(x) > 4 and x[4] is not None else [1] * len(starts)
        index = [slice(None)] * data.dim()
        for a, s0, e0, st in zip(axes, starts, ends, steps):
            index[a] = slice(max(s0, 0), min(e0, data.shape[a]), st)
        return data[tuple(index)]
    if op in ("ReduceMean", "ReduceMax"):
        axes, keep = at.get("axes"), bool(at.get("keepdims", 1))
        if op == "ReduceMean":
            return torch.mean(x[0], dim=axes, keepdim=keep)
        out = x[0]
        for a in sorted(axes, reverse=True):
            out = torch.amax(out, dim=a, keepdim=keep)
        return out
    raise NotImplementedError(op)
