#!/usr/bin/python3
"""Writes the ONNX test models of tests/workloads/onnx_import_test.cpp and prints their oracle figures.

Run from anywhere with the Debian interpreter (python3-torch 1.13, python3-torchvision 0.14):
    /usr/bin/python3 tests/data/onnx/make_models.py
The models are exported with export_params=False (no weights: each file stays far below 1 MB; the
weights become graph inputs after the data input), a dynamic batch axis named "batch", opset 17
(the newest torch 1.13 exports and ONNX 1.12 checks; LayerNormalization is a native op from 17).
It also writes the malformed models of tests/data/bad/onnx/: truncated.onnx (the first 100 bytes of
resnet18.onnx), shape_mismatch.onnx (a MatMul of [batch,3] by [4,5]: ONNX shape inference fails) and
unknown_shape.onnx (an op of a custom domain, whose output shape nothing can infer).
not_protobuf.onnx there is a hand-written text file.

Oracle (batch 1, 224x224 images; "MACs" are the multiply-accumulates of Conv2d and Linear layers
counted with forward hooks, plus for the ViT the attention products Q.K^T and A.V of every
nn.MultiheadAttention, whose projections run through F.linear and are counted by a hook on the
attention module; parameters are sum(p.numel() for p in model.parameters())):

    model          parameters     conv/linear MACs   attention MACs   total MACs
    resnet18       11,689,512     1,814,073,344                  0    1,814,073,344
    mobilenet_v2    3,504,872       300,774,272                  0      300,774,272
    vit_small       7,854,952     1,452,530,688        119,221,248    1,571,751,936
    cumsum_tiny           272               256                  0              256

(regenerate the table from this script's output when the models change.)
"""
import os
import sys

import onnx
import onnx.helper as oh
import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "..", "bad", "onnx")
OPSET = 17


def oracle(model, example):
    """Parameters and MACs of one forward pass of `example` (conv/linear by hooks, attention by formula)."""
    counts = {"conv_linear": 0, "attention": 0}

    def conv_hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        counts["conv_linear"] += out.numel() * (mod.in_channels // mod.groups) * k

    def linear_hook(mod, inp, out):
        counts["conv_linear"] += out.numel() * mod.in_features

    def mha_hook(mod, inp, out):
        # Batch-first (N, L, E) self-attention: the input projection (3 E x E), the output
        # projection (E x E) and the products Q.K^T and A.V (each L x L x E per sample).
        # (torchvision calls it with keyword arguments, which 1.13 hooks do not see: use the output.)
        o = out[0]
        n, length, e = o.shape if mod.batch_first else (o.shape[1], o.shape[0], o.shape[2])
        counts["conv_linear"] += n * length * e * 3 * e + n * length * e * e
        counts["attention"] += 2 * n * length * length * e

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.MultiheadAttention):
            hooks.append(m.register_forward_hook(mha_hook))
        elif isinstance(m, nn.Linear) and not isinstance(m, nn.modules.linear.NonDynamicallyQuantizableLinear):
            # The output projection of nn.MultiheadAttention is a NonDynamicallyQuantizableLinear
            # that is applied through F.linear, never called: mha_hook counts it.
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(example)
    for h in hooks:
        h.remove()
    params = sum(p.numel() for p in model.parameters())
    return params, counts["conv_linear"], counts["attention"]


def export(model, example, name, input_name="input"):
    model.eval()
    path = os.path.join(HERE, name + ".onnx")
    dynamic = {input_name: {0: "batch"}, "output": {0: "batch"}}
    torch.onnx.export(model, example, path, export_params=False, opset_version=OPSET, input_names=[input_name],
                      output_names=["output"], dynamic_axes=dynamic, do_constant_folding=True)
    params, mac_cl, mac_att = oracle(model, example)
    size = os.path.getsize(path)
    print(f"{name:14s} params {params:>12,d}  conv/linear MACs {mac_cl:>15,d}  attention MACs {mac_att:>13,d}"
          f"  total {mac_cl + mac_att:>15,d}  ({size:,d} bytes)")
    if size > 1_000_000:
        sys.exit(f"{path} is {size} bytes: keep test models under 1 MB")
    return path


class CumSumTiny(nn.Module):
    """Linear -> CumSum -> Relu: CumSum is an op the importer does not map (the strict-mode test)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)

    def forward(self, x):
        return torch.relu(torch.cumsum(self.fc(x), dim=1))


def main():
    torch.manual_seed(0)
    image = torch.randn(1, 3, 224, 224)
    resnet = export(torchvision.models.resnet18(weights=None), image, "resnet18")
    export(torchvision.models.mobilenet_v2(weights=None), image, "mobilenet_v2")
    vit = torchvision.models.VisionTransformer(image_size=224, patch_size=16, num_layers=4, num_heads=6,
                                              hidden_dim=384, mlp_dim=1536)
    export(vit, image, "vit_small")
    export(CumSumTiny(), torch.randn(1, 16), "cumsum_tiny")

    write_bad_models(resnet)


def write_bad_models(resnet):
    os.makedirs(BAD, exist_ok=True)
    with open(resnet, "rb") as f:
        head = f.read(100)
    with open(os.path.join(BAD, "truncated.onnx"), "wb") as f:
        f.write(head)
    f32 = onnx.TensorProto.FLOAT
    opset = [oh.make_opsetid("", OPSET)]
    # K mismatch: [batch, 3] x [4, 5].
    g = oh.make_graph([oh.make_node("MatMul", ["input", "fc.weight"], ["output"], name="/fc/MatMul")], "mismatch",
                      [oh.make_tensor_value_info("input", f32, ["batch", 3]),
                       oh.make_tensor_value_info("fc.weight", f32, [4, 5])],
                      [oh.make_tensor_value_info("output", f32, ["batch", 5])])
    onnx.save(oh.make_model(g, opset_imports=opset, producer_name="make_models.py"),
              os.path.join(BAD, "shape_mismatch.onnx"))
    # An op of a custom domain: no schema, so no inferred output shape.
    g = oh.make_graph([oh.make_node("Fancy", ["input"], ["fancy"], name="/fancy/Fancy", domain="com.example"),
                       oh.make_node("Relu", ["fancy"], ["output"], name="/relu/Relu")], "custom",
                      [oh.make_tensor_value_info("input", f32, ["batch", 16])],
                      [oh.make_tensor_value_info("output", f32, None)])
    onnx.save(oh.make_model(g, opset_imports=opset + [oh.make_opsetid("com.example", 1)],
                            producer_name="make_models.py"), os.path.join(BAD, "unknown_shape.onnx"))


if __name__ == "__main__":
    main()
