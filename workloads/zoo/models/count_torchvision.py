#!/usr/bin/python3
"""Reference parameter and MAC counts for the zoo models of other.toml.

Not part of the build: a developer's check of the figures in models/other.toml. Needs Debian's
python3-torch and python3-torchvision (no weights are downloaded). Counts

  * parameters: sum of numel() over model.parameters() (plus frozen-BN affine buffers where the
    reference freezes them, so that BN counts 2 x C like the zoo's batchnorm op);
  * MACs: forward hooks on Conv2d/Conv3d/ConvTranspose3d/Linear (weights x output positions),
    plus the activation x activation matmuls of attention where a model has them.

Models: torchvision resnet18/50, vgg16, mobilenet_v2, efficientnet_b0 (as shipped); MLPerf
re-implementations built from torchvision parts or plain torch.nn following the MLPerf reference
code: SSD-ResNet34 (mlcommons/inference vision/classification_and_detection/python/models/
ssd_r34.py), RetinaNet ResNeXt50-32x4d FPN (…/models/resnext50/retinanet.py), 3D U-Net
(mlcommons/training image_segmentation/pytorch/model/), RNN-T (mlcommons/inference
speech_recognition/rnnt/pytorch/model_separable_rnnt.py), DLRM-DCNv2 (torchrec DLRM_DCN as
configured by mlcommons/inference recommendation/dlrm_v2) and, analytically from the diffusers
configs, Stable Diffusion XL base 1.0.

Usage: /usr/bin/python3 workloads/zoo/models/count_torchvision.py [--quick]
(--quick skips the large detection forwards.)
"""
import math
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision.ops.misc import FrozenBatchNorm2d

torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------------
# Hook-based counting
def count(model, *inputs, scale=1.0):
    """(params, MACs per first-dim sample) of one forward of `model` on `inputs`."""
    macs = [0.0]

    def conv_hook(m, inp, out):
        k = m.weight[0].numel()  # (c_in/groups) * prod(kernel)
        macs[0] += out.numel() * k

    def convT_hook(m, inp, out):
        # each input position scatters c_in x c_out/groups x prod(kernel) products
        macs[0] += inp[0].numel() * m.weight[0].numel()

    def linear_hook(m, inp, out):
        macs[0] += out.numel() * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Conv3d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.ConvTranspose3d):
            hooks.append(m.register_forward_hook(convT_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    model.eval()
    with torch.no_grad():
        model(*inputs)
    for h in hooks:
        h.remove()
    params = sum(p.numel() for p in model.parameters())
    params += sum(2 * m.weight.numel() for m in model.modules() if isinstance(m, FrozenBatchNorm2d))
    batch = inputs[0].shape[0]
    return params, macs[0] * scale / batch


# ---------------------------------------------------------------------------------------------
# MLPerf SSD-ResNet34 (1200x1200, COCO 81 classes), after ssd_r34.py / base_model_r34.py
class SSDR34(nn.Module):
    def __init__(self, label_num=81):
        super().__init__()
        rn34 = torchvision.models.resnet34()
        self.backbone = nn.Sequential(*list(rn34.children())[:7])
        blk = self.backbone[6][0]  # layer3, first block: stride 1 (base_model_r34._ModifyBlock)
        blk.conv1.stride = (1, 1)
        blk.downsample[0].stride = (1, 1)
        out_chan = [256, 512, 512, 256, 256, 256]
        mid = [256, 256, 128, 128, 128]
        strides, pads = [2, 2, 2, 2, 1], [1, 1, 1, 0, 0]
        self.extra = nn.ModuleList(
            nn.Sequential(nn.Conv2d(out_chan[i], mid[i], 1), nn.ReLU(),
                          nn.Conv2d(mid[i], out_chan[i + 1], 3, padding=pads[i], stride=strides[i]), nn.ReLU())
            for i in range(5))
        nd = [4, 6, 6, 6, 4, 4]
        self.loc = nn.ModuleList(nn.Conv2d(c, n * 4, 3, padding=1, stride=3) for n, c in zip(nd, out_chan))
        self.conf = nn.ModuleList(nn.Conv2d(c, n * label_num, 3, padding=1, stride=3) for n, c in zip(nd, out_chan))

    def forward(self, x):
        x = self.backbone(x)
        src = [x]
        for e in self.extra:
            x = e(x)
            src.append(x)
        return [l(s) for l, s in zip(self.loc, src)] + [c(s) for c, s in zip(self.conf, src)]


# ---------------------------------------------------------------------------------------------
# MLPerf RetinaNet (ResNeXt50-32x4d FPN P3-P7, 800x800, 264 OpenImages classes)
class RetinaNetCore(nn.Module):
    def __init__(self, num_classes=264):
        super().__init__()
        from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
        from torchvision.models.detection.retinanet import RetinaNetHead
        from torchvision.ops.feature_pyramid_network import LastLevelP6P7
        self.backbone = resnet_fpn_backbone(backbone_name="resnext50_32x4d", weights=None, returned_layers=[2, 3, 4],
                                            extra_blocks=LastLevelP6P7(256, 256), trainable_layers=5)
        self.head = RetinaNetHead(256, 9, num_classes)

    def forward(self, x):
        return self.head(list(self.backbone(x).values()))


# ---------------------------------------------------------------------------------------------
# MLPerf 3D U-Net (KiTS19), after image_segmentation/pytorch/model/{unet3d,layers}.py
class _AffineNorm(nn.Module):
    """InstanceNorm3d(affine=True)'s parameters without its arithmetic (no MACs; lets the 1^3
    bottleneck of a scaled-down input run)."""

    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        return x


def _cb(ci, co, k=3, s=1, p=1):
    return nn.Sequential(nn.Conv3d(ci, co, k, s, p, bias=False), _AffineNorm(co), nn.LeakyReLU(0.01))


class UNet3D(nn.Module):
    def __init__(self, cin=1, ncls=3):
        super().__init__()
        f = [32, 64, 128, 256, 320]
        self.inp = nn.Sequential(_cb(cin, f[0]), _cb(f[0], f[0]))
        self.down = nn.ModuleList(nn.Sequential(_cb(i, o, s=2), _cb(o, o)) for i, o in zip(f[:-1], f[1:]))
        self.bottleneck = nn.Sequential(_cb(f[-1], f[-1], s=2), _cb(f[-1], f[-1]))
        ups = [(f[-1], f[-1])] + list(zip(reversed(f[1:]), reversed(f[:-1])))
        self.upconv = nn.ModuleList(nn.ConvTranspose3d(i, o, 2, 2) for i, o in ups)
        self.upblk = nn.ModuleList(nn.Sequential(_cb(2 * o, o), _cb(o, o)) for i, o in ups)
        self.out = nn.Conv3d(f[0], ncls, 1)

    def forward(self, x):
        x = self.inp(x)
        skips = [x]
        for d in self.down:
            x = d(x)
            skips.append(x)
        x = self.bottleneck(x)
        for uc, ub, s in zip(self.upconv, self.upblk, reversed(skips)):
            x = ub(torch.cat((uc(x), s), 1))
        return self.out(x)


# ---------------------------------------------------------------------------------------------
# MLPerf RNN-T (LibriSpeech), after model_separable_rnnt.py and the rnnt config
RNNT = dict(features=240, enc=1024, pre=2, stack=2, post=3, pred=320, pred_layers=2, joint=512, classes=29)


def lstm_params(i, h):
    return 4 * h * (i + h) + 8 * h  # W_ih, W_hh, b_ih, b_hh


def rnnt_counts(frames, symbols):
    """params, MACs of one utterance: `frames` 240-feature frames, `symbols` emitted characters."""
    c = RNNT
    h = c["enc"]
    enc = [(c["features"], h)] + [(h, h)] * (c["pre"] - 1) + [(c["stack"] * h, h)] + [(h, h)] * (c["post"] - 1)
    pred = [(c["pred"], c["pred"])] * c["pred_layers"]
    params = sum(lstm_params(i, o) for i, o in enc + pred)
    params += (c["classes"] - 1) * c["pred"]  # embedding of the 28 non-blank symbols
    params += (c["pred"] + h) * c["joint"] + c["joint"] + c["joint"] * c["classes"] + c["classes"]
    t_post = math.ceil(frames / c["stack"])
    macs = sum(frames * 4 * o * (i + o) for i, o in enc[: c["pre"]])
    macs += sum(t_post * 4 * o * (i + o) for i, o in enc[c["pre"]:])
    # Greedy decoding (decoders.py): one joint evaluation per emitted symbol plus one (blank) per
    # encoder frame, each after a prediction-network step.
    evals = t_post + symbols
    macs += evals * sum(4 * o * (i + o) for i, o in pred)
    macs += evals * ((c["pred"] + h) * c["joint"] + c["joint"] * c["classes"])
    return params, macs


def check_rnnt_with_torch():
    """The LSTM/Linear parameter formula against torch.nn (the MAC formula is the textbook one)."""
    c = RNNT
    m = nn.ModuleList([nn.LSTM(c["features"], c["enc"], c["pre"]), nn.LSTM(2 * c["enc"], c["enc"], c["post"]),
                       nn.Embedding(c["classes"] - 1, c["pred"]), nn.LSTM(c["pred"], c["pred"], c["pred_layers"]),
                       nn.Linear(c["pred"] + c["enc"], c["joint"]), nn.Linear(c["joint"], c["classes"])])
    return sum(p.numel() for p in m.parameters())


# ---------------------------------------------------------------------------------------------
# MLPerf DLRM on Criteo 1TB. v1 (inference v0.7-v2.1): dlrm_s_pytorch.py, --max-ind-range
# 40000000, dot interaction. v2 (v3.0+): DLRM-DCNv2, recommendation/dlrm_v2 configuration.
DLRM_V1_TABLES = [39884406, 39043, 17289, 7420, 20263, 3, 7120, 1543, 63, 38532951, 2953546, 403346, 10, 2208, 11938,
                  155, 4, 976, 14, 39979771, 25641295, 39664984, 585935, 12972, 108, 36]
DLRM_TABLES = [40000000, 39060, 17295, 7424, 20265, 3, 7122, 1543, 63, 40000000, 3067956, 405282, 10, 2209, 11938,
               155, 4, 976, 14, 40000000, 40000000, 40000000, 590152, 12973, 108, 36]
DLRM_HOT = [3, 2, 1, 2, 6, 1, 1, 1, 1, 7, 3, 8, 1, 6, 9, 5, 1, 1, 1, 12, 100, 27, 10, 3, 1, 1]


def dlrm_counts(version=2, dim=128, bottom=(13, 512, 256, 128), top=(1024, 1024, 512, 256, 1), dcn_layers=3,
                rank=512):
    params = macs = 0
    for i, o in zip(bottom[:-1], bottom[1:]):
        params += i * o + o
        macs += i * o
    vectors = len(DLRM_TABLES) + 1
    if version >= 2:
        d = vectors * dim
        params += dcn_layers * (2 * d * rank + d)
        macs += dcn_layers * 2 * d * rank
    else:
        d = dim + vectors * (vectors - 1) // 2  # 479
        macs += vectors * vectors * dim  # one batched Z Z^T, of which the upper triangle is kept
    for i, o in zip((d,) + top[:-1], top):
        params += i * o + o
        macs += i * o
    dense = params
    params += dim * sum(DLRM_TABLES if version >= 2 else DLRM_V1_TABLES)
    return params, macs, dense


# ---------------------------------------------------------------------------------------------
# Stable Diffusion XL base 1.0, analytically from the diffusers configs (unet/config.json,
# text_encoder*/config.json, vae/config.json of stabilityai/stable-diffusion-xl-base-1.0).
class Acc:
    def __init__(self):
        self.params = 0
        self.macs = 0

    def conv(self, ci, co, k, hw_out, bias=True):
        self.params += ci * co * k * k + (co if bias else 0)
        self.macs += hw_out * ci * co * k * k

    def lin(self, i, o, rows, bias=True):
        self.params += i * o + (o if bias else 0)
        self.macs += rows * i * o

    def norm(self, c):
        self.params += 2 * c

    def attn(self, q_rows, kv_rows, c):  # QK^T and AV products
        self.macs += 2 * q_rows * kv_rows * c


def sdxl_unet(acc, hw=128, ctx=77, cross=2048):
    def resnet(ci, co, s):
        acc.norm(ci)
        acc.conv(ci, co, 3, s * s)
        acc.lin(1280, co, 1)
        acc.norm(co)
        acc.conv(co, co, 3, s * s)
        if ci != co:
            acc.conv(ci, co, 1, s * s)

    def transformer(c, depth, s):
        n = s * s
        acc.norm(c)
        acc.lin(c, c, n)
        for _ in range(depth):
            acc.norm(c)
            acc.lin(c, 3 * c, n, bias=False)
            acc.attn(n, n, c)
            acc.lin(c, c, n)
            acc.norm(c)
            acc.lin(c, c, n, bias=False)
            acc.lin(cross, 2 * c, ctx, bias=False)
            acc.attn(n, ctx, c)
            acc.lin(c, c, n)
            acc.norm(c)
            acc.lin(c, 8 * c, n)  # GEGLU
            acc.lin(4 * c, c, n)
        acc.lin(c, c, n)

    acc.lin(320, 1280, 1)
    acc.lin(1280, 1280, 1)
    acc.lin(2816, 1280, 1)
    acc.lin(1280, 1280, 1)
    acc.conv(4, 320, 3, hw * hw)
    ch, depth = [320, 640, 1280], [0, 2, 10]
    skips, c, s = [320], 320, hw
    for i in range(3):
        for _ in range(2):
            resnet(c, ch[i], s)
            c = ch[i]
            if depth[i]:
                transformer(c, depth[i], s)
            skips.append(c)
        if i < 2:
            s //= 2
            acc.conv(c, c, 3, s * s)
            skips.append(c)
    resnet(c, c, s)
    transformer(c, 10, s)
    resnet(c, c, s)
    for i in reversed(range(3)):
        for _ in range(3):
            resnet(c + skips.pop(), ch[i], s)
            c = ch[i]
            if depth[i]:
                transformer(c, depth[i], s)
        if i > 0:
            s *= 2
            acc.conv(c, c, 3, s * s)
    acc.norm(320)
    acc.conv(320, 4, 3, s * s)


def clip_text(acc, width, layers, vocab=49408, ctx=77, proj=False):
    acc.params += vocab * width + ctx * width
    for _ in range(layers):
        acc.norm(width)
        acc.lin(width, 3 * width, ctx)
        acc.attn(ctx, ctx, width)
        acc.lin(width, width, ctx)
        acc.norm(width)
        acc.lin(width, 4 * width, ctx)
        acc.lin(4 * width, width, ctx)
    acc.norm(width)
    if proj:
        acc.lin(width, width, 1, bias=False)


def vae_decoder(acc, hw=128):
    def resnet(ci, co, s):
        acc.norm(ci)
        acc.conv(ci, co, 3, s * s)
        acc.norm(co)
        acc.conv(co, co, 3, s * s)
        if ci != co:
            acc.conv(ci, co, 1, s * s)

    acc.conv(4, 4, 1, hw * hw)  # post_quant_conv
    acc.conv(4, 512, 3, hw * hw)
    resnet(512, 512, hw)
    acc.norm(512)
    acc.lin(512, 3 * 512, hw * hw)
    acc.attn(hw * hw, hw * hw, 512)
    acc.lin(512, 512, hw * hw)
    resnet(512, 512, hw)
    c, s = 512, hw
    for i, co in enumerate([512, 512, 256, 128]):
        for _ in range(3):
            resnet(c, co, s)
            c = co
        if i < 3:
            s *= 2
            acc.conv(c, c, 3, s * s)
    acc.norm(128)
    acc.conv(128, 3, 3, s * s)


def sdxl_counts(steps=20, latent=128):
    parts = {}
    for name, fn in [("unet", lambda a: sdxl_unet(a, latent)), ("clip_l", lambda a: clip_text(a, 768, 12)),
                     ("clip_bigg", lambda a: clip_text(a, 1280, 32, proj=True)),
                     ("vae_decoder", lambda a: vae_decoder(a, latent))]:
        a = Acc()
        fn(a)
        parts[name] = a
    params = sum(a.params for a in parts.values())
    # per image: text encoders on prompt + negative prompt (MLPerf), UNet 2 x steps (CFG), VAE once
    macs = 2 * (parts["clip_l"].macs + parts["clip_bigg"].macs) + 2 * steps * parts["unet"].macs + parts[
        "vae_decoder"].macs
    return params, macs, parts


# ---------------------------------------------------------------------------------------------
def main():
    quick = "--quick" in sys.argv
    tv = torchvision.models
    rows = []

    def row(name, p, m, at, note=""):
        rows.append((name, p, m, at, note))
        print(f"{name:22s} params {p:16,.0f}  MACs/sample {m:20,.0f}  at {at:10s} {note}", flush=True)

    x224 = torch.randn(1, 3, 224, 224)
    for name, ctor in [("resnet18", tv.resnet18), ("resnet50", tv.resnet50), ("vgg16", tv.vgg16),
                       ("mobilenet_v2", tv.mobilenet_v2), ("efficientnet_b0", tv.efficientnet_b0)]:
        p, m = count(ctor(), x224)
        row(name, p, m, "224x224", "torchvision")
    p, m = count(UNet3D(), torch.randn(1, 1, 32, 32, 32), scale=64)  # all sizes scale exactly 32^3 -> 128^3
    row("unet3d", p, m, "128^3", "MLPerf training reference")
    if not quick:
        p, m = count(SSDR34(), torch.randn(1, 3, 1200, 1200))
        row("ssd-resnet34", p, m, "1200x1200", "MLPerf inference reference")
        p, m = count(RetinaNetCore(), torch.randn(1, 3, 800, 800))
        row("retinanet", p, m, "800x800", "MLPerf inference reference (backbone+FPN+heads)")
    frames = 240
    symbols = round(14 * frames * 0.03)
    p, m = rnnt_counts(frames, symbols)
    assert p == check_rnnt_with_torch(), (p, check_rnnt_with_torch())
    row("rnnt", p, m, f"{frames} fr", f"{symbols} symbols, greedy decode")
    p, m, dense = dlrm_counts(1)
    row("dlrm (v1, dot)", p, m, "1 sample", f"dense part {dense:,}")
    p, m, dense = dlrm_counts(2)
    row("dlrm-v2 (DCNv2)", p, m, "1 sample", f"dense part {dense:,}")
    p, m, parts = sdxl_counts()
    for k, a in parts.items():
        print(f"   sdxl.{k:12s} params {a.params:16,.0f}  MACs/pass {a.macs:20,.0f}")
    row("stable-diffusion-xl", p, m, "1024x1024", "20 steps, CFG, negative prompt encoded")


if __name__ == "__main__":
    main()
