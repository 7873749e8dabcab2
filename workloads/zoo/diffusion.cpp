// Forward builder of Stable Diffusion XL base 1.0 (Podell et al. 2023; diffusers configs of
// stabilityai/stable-diffusion-xl-base-1.0), as MLPerf inference runs it
// (text_to_image/backend_pytorch.py): per image, both text encoders (CLIP ViT-L/14 and OpenCLIP
// ViT-bigG/14 text towers, 77 tokens) on the prompt and on the negative prompt, the UNet `steps`
// times on 2 latents (classifier-free guidance), the VAE decoder once. It follows the reference
// implementation layer by layer, on the helpers shared with vision.cpp (zoo.hpp, namespace
// detail), so that the parameters and MACs of the graph match the figures in models/other.toml
// (derived there with models/count_torchvision.py).
//
// The UNet's denoising steps are emitted as one pass over steps x latents (exact MACs and
// activations in ~1/steps of the ops; the UNet's weights counted once).
#include <array>
#include <string>
#include <vector>

#include "workloads/zoo/net.hpp"

namespace jg::wl::zoo {

using detail::Fm;
using detail::kGelu;
using detail::kSilu;
using detail::Net;

namespace {

/// A pre-LayerNorm CLIP text transformer (GELU MLP of 4x width, final LayerNorm).
void clip_text(Net& net, const std::string& g, double width, int layers, bool projection) {
  constexpr double kVocab = 49408, kCtx = 77;
  const double heads = width / 64, rows = net.n * kCtx;
  net.group(g);
  net.add(OpType::kEmbedding, "token_embedding", {{"tokens", rows}, {"dim", width}, {"vocab", kVocab}});
  net.add(OpType::kEmbedding, "position_embedding", {{"tokens", rows}, {"dim", width}, {"vocab", kCtx}});
  for (int i = 0; i < layers; ++i) {
    const std::string l = "layers." + std::to_string(i) + ".";
    net.layernorm(l + "layer_norm1", rows, width);
    net.linear(l + "qkv", rows, width, 3 * width);
    net.attention(l + "attn", kCtx, kCtx, heads, 64);
    net.linear(l + "out_proj", rows, width, width);
    net.ew(l + "residual1", rows * width, 2, 1);
    net.layernorm(l + "layer_norm2", rows, width);
    net.linear(l + "fc1", rows, width, 4 * width);
    net.ew(l + "gelu", rows * 4 * width, 1, kGelu);
    net.linear(l + "fc2", rows, 4 * width, width);
    net.ew(l + "residual2", rows * width, 2, 1);
  }
  net.layernorm("final_layer_norm", rows, width);
  if (projection) net.linear("text_projection", net.n, width, width, false);
}

/// diffusers ResnetBlock2D: GN, SiLU, conv3x3, [+ time embedding projection], GN, SiLU, conv3x3,
/// 1x1 shortcut when the width changes. temb: time embedding width (0: none, the VAE's).
Fm resnet_block(Net& net, const std::string& name, Fm x, double c_out, double temb) {
  const Fm in = x;
  x = net.act(name + ".silu1", net.gn(name + ".norm1", x), kSilu);
  x = net.conv(name + ".conv1", x, c_out, 3, 1, 1, true);
  if (temb > 0) {
    net.linear(name + ".time_emb_proj", net.n, temb, c_out);
    net.residual(name + ".add_temb", x);
  }
  x = net.act(name + ".silu2", net.gn(name + ".norm2", x), kSilu);
  x = net.conv(name + ".conv2", x, c_out, 3, 1, 1, true);
  if (in.c != c_out) net.conv(name + ".conv_shortcut", in, c_out, 1, 1, 1, true);
  return net.residual(name + ".add", x);
}

/// diffusers Transformer2DModel (linear projections): GN, proj_in, `depth` blocks of self-
/// attention, cross-attention on the text (77 tokens of 2048) and a GEGLU feed-forward, proj_out.
void transformer_2d(Net& net, const std::string& name, Fm x, int depth) {
  constexpr double kCtx = 77, kCross = 2048, kHeadDim = 64;
  const double c = x.c, tokens = x.h * x.w, rows = net.n * tokens, heads = c / kHeadDim;
  net.gn(name + ".norm", x);
  net.linear(name + ".proj_in", rows, c, c);
  for (int i = 0; i < depth; ++i) {
    const std::string t = name + ".transformer_blocks." + std::to_string(i) + ".";
    net.layernorm(t + "norm1", rows, c);
    net.linear(t + "attn1.to_qkv", rows, c, 3 * c, false);
    net.attention(t + "attn1", tokens, tokens, heads, kHeadDim);
    net.linear(t + "attn1.to_out", rows, c, c);
    net.ew(t + "residual1", rows * c, 2, 1);
    net.layernorm(t + "norm2", rows, c);
    net.linear(t + "attn2.to_q", rows, c, c, false);
    net.linear(t + "attn2.to_kv", net.n * kCtx, kCross, 2 * c, false);
    net.attention(t + "attn2", tokens, kCtx, heads, kHeadDim);
    net.linear(t + "attn2.to_out", rows, c, c);
    net.ew(t + "residual2", rows * c, 2, 1);
    net.layernorm(t + "norm3", rows, c);
    net.linear(t + "ff.proj", rows, c, 8 * c);
    net.ew(t + "ff.geglu", rows * 4 * c, 2, kGelu + 1);
    net.linear(t + "ff.out", rows, 4 * c, c);
    net.ew(t + "residual3", rows * c, 2, 1);
  }
  net.linear(name + ".proj_out", rows, c, c);
  net.residual(name + ".add", x);
}

/// Nearest 2x upsampling (a copy) + 3x3 conv.
Fm upsample(Net& net, const std::string& name, Fm x) {
  x = {x.c, 2 * x.h, 2 * x.w};
  net.ew(name + ".interpolate", net.n * x.size(), 1, 0);
  return net.conv(name + ".conv", x, x.c, 3, 1, 1, true);
}

/// SDXL UNet on latents of side `side`: blocks of 320, 640, 1280 channels with 0, 2, 10
/// transformer blocks per attention, 2 resnets per down block and 3 per up block.
void sdxl_unet(Net& net, double side) {
  constexpr double kTemb = 1280;
  const std::array<double, 3> ch = {320, 640, 1280};
  const std::array<int, 3> depth = {0, 2, 10};
  net.group("unet.time_embedding");
  net.ew("time_proj", net.n * 320, 1, 4);
  net.linear("linear_1", net.n, 320, kTemb);
  net.ew("silu", net.n * kTemb, 1, kSilu);
  net.linear("linear_2", net.n, kTemb, kTemb);
  net.group("unet.add_embedding");  // pooled text (1280) + 6 size/crop ids x 256
  net.linear("linear_1", net.n, 2816, kTemb);
  net.ew("silu", net.n * kTemb, 1, kSilu);
  net.linear("linear_2", net.n, kTemb, kTemb);
  net.ew("add", net.n * kTemb, 2, 1);
  net.ew("silu_out", net.n * kTemb, 1, kSilu);  // the resnets' SiLU on the embedding
  net.group("unet.conv_in");
  Fm x = net.conv("conv", {4, side, side}, ch[0], 3, 1, 1, true);
  std::vector<double> skips = {x.c};
  for (int i = 0; i < 3; ++i) {
    net.group("unet.down." + std::to_string(i));
    for (int j = 0; j < 2; ++j) {
      const std::string r = std::to_string(j);
      x = resnet_block(net, "resnets." + r, x, ch[i], kTemb);
      if (depth[i] > 0) transformer_2d(net, "attentions." + r, x, depth[i]);
      skips.push_back(x.c);
    }
    if (i < 2) {
      x = net.conv("downsample", x, x.c, 3, 2, 1, true);
      skips.push_back(x.c);
    }
  }
  net.group("unet.mid");
  x = resnet_block(net, "resnets.0", x, x.c, kTemb);
  transformer_2d(net, "attentions.0", x, depth[2]);
  x = resnet_block(net, "resnets.1", x, x.c, kTemb);
  for (int i = 2; i >= 0; --i) {
    net.group("unet.up." + std::to_string(2 - i));
    for (int j = 0; j < 3; ++j) {
      const std::string r = std::to_string(j);
      x.c += skips.back();
      skips.pop_back();
      net.ew("resnets." + r + ".concat", net.n * x.size(), 1, 0);
      x = resnet_block(net, "resnets." + r, x, ch[i], kTemb);
      if (depth[i] > 0) transformer_2d(net, "attentions." + r, x, depth[i]);
    }
    if (i > 0) x = upsample(net, "upsample", x);
  }
  net.group("unet.out");
  x = net.act("silu", net.gn("norm", x), kSilu);
  net.conv("conv_out", x, 4, 3, 1, 1, true);
}

/// SDXL VAE decoder (AutoencoderKL, 4 latent channels, blocks 512-512-256-128, 3 resnets each,
/// single-head attention in the middle) from latents of side `side` to an image 8x larger.
void vae_decoder(Net& net, double side) {
  net.group("vae_decoder.conv_in");
  Fm x = net.conv("post_quant_conv", {4, side, side}, 4, 1, 1, 1, true);
  x = net.conv("conv_in", x, 512, 3, 1, 1, true);
  net.group("vae_decoder.mid");
  x = resnet_block(net, "resnets.0", x, 512, 0);
  const double tokens = x.h * x.w;
  net.gn("attentions.0.group_norm", x);
  net.linear("attentions.0.to_qkv", net.n * tokens, 512, 3 * 512);
  net.attention("attentions.0", tokens, tokens, 1, 512);
  net.linear("attentions.0.to_out", net.n * tokens, 512, 512);
  net.residual("attentions.0.add", x);
  x = resnet_block(net, "resnets.1", x, 512, 0);
  const std::array<double, 4> ch = {512, 512, 256, 128};
  for (int i = 0; i < 4; ++i) {
    net.group("vae_decoder.up." + std::to_string(i));
    for (int j = 0; j < 3; ++j) x = resnet_block(net, "resnets." + std::to_string(j), x, ch[i], 0);
    if (i < 3) x = upsample(net, "upsample", x);
  }
  net.group("vae_decoder.out");
  x = net.act("silu", net.gn("norm", x), kSilu);
  net.conv("conv_out", x, 3, 3, 1, 1, true);
}

}  // namespace

void stable_diffusion_xl(GraphBuilder& b, const Model& m, const ModelArgs& a) {
  Net net(b, a);
  const double side = (a.image > 0 ? a.image : m.default_image) / 8;  // VAE: 8x downsampling
  const double steps = hp(m, "steps", 20), guidance = hp(m, "cfg", 1) != 0 ? 2 : 1;
  net.n = a.batch * guidance;  // prompt + negative prompt
  clip_text(net, "text_encoder", 768, 12, false);
  clip_text(net, "text_encoder_2", 1280, 32, true);
  // All denoising steps as one pass of steps x 2 x batch latents (see the top of this file):
  // exact MACs and activations, the UNet's 2.6 B weights counted once.
  net.n = a.batch * guidance * steps;
  sdxl_unet(net, side);
  net.group("scheduler");
  net.ew("guidance", a.batch * steps * 4 * side * side, guidance, 3);  // uncond + s (cond - uncond), Euler step
  net.n = a.batch;
  vae_decoder(net, side);
}

}  // namespace jg::wl::zoo
