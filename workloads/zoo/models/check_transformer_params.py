#!/usr/bin/env python3
"""Checks workloads/zoo/models/transformers.toml: recomputes every model's parameter count
(and, for ViT, its forward MACs) from the [model.hp] hyperparameters and compares it with
[model.published].

  python3 workloads/zoo/models/check_transformer_params.py [path/to/transformers.toml]

Prints one row per model: name, computed, published, relative error, tolerance, and the same
for MoE active parameters and published MACs where given. Exits 1 if any model is outside its
own `tolerance` (or has an unknown hp key), 0 otherwise.

The counting rules are the ones documented at the top of transformers.toml; they are kept
deliberately simple (weights of linears, embeddings, norms; no buffers) so that the C++ graph
builder can be checked against the same numbers.
"""
import sys
import tomllib
from pathlib import Path

# Defaults of every numeric hp key (absent key = this value). Keep in sync with the header of
# transformers.toml.
NUM_DEFAULTS = {
    "layers": 0, "enc_layers": 0, "dec_layers": 0,
    "d_model": 0, "heads": 0, "kv_heads": 0, "head_dim": 0,
    "ffn": 0, "enc_ffn": 0, "dec_ffn": 0,
    "vocab": 0, "dec_vocab": 0, "max_pos": 0, "type_vocab": 0,
    "bias": 0, "attn_bias": -1, "mlp_bias": -1, "lm_head_bias": 0,
    "tied": 0, "lm_head": 1, "pooler": 0, "qk_norm": 0,
    "embed_norm": 0, "final_norm": 1, "parallel_block": 0, "sandwich_norm": 0,
    "rel_buckets": 0, "rel_heads": 0,
    "experts": 0, "top_k": 0, "moe_every": 1, "expert_ffn": 0,
    "patch": 0, "classes": 0, "channels": 3,
    "rotary_dim": 0, "sliding_window": 0, "global_every": 0, "embed_scale": 0,
}
TEXT_KEYS = {"arch": ("decoder", "encoder", "encoder-decoder", "vit"),
             "mlp": ("gated", "plain"),
             "norm": ("rmsnorm", "layernorm")}


def hp_of(model):
    raw = model["hp"]
    unknown = sorted(k for k in raw if k not in NUM_DEFAULTS and k not in TEXT_KEYS)
    if unknown:
        raise ValueError(f"{model['name']}: unknown hp keys {unknown}")
    for k, allowed in TEXT_KEYS.items():
        if raw.get(k) not in allowed:
            raise ValueError(f"{model['name']}: hp.{k} = {raw.get(k)!r}, expected one of {allowed}")
    hp = dict(NUM_DEFAULTS)
    hp.update(raw)
    if not hp["kv_heads"]:
        hp["kv_heads"] = hp["heads"]
    if not hp["head_dim"]:
        hp["head_dim"] = hp["d_model"] // hp["heads"]
    if hp["attn_bias"] < 0:
        hp["attn_bias"] = hp["bias"]
    if hp["mlp_bias"] < 0:
        hp["mlp_bias"] = hp["bias"]
    if not hp["expert_ffn"]:
        hp["expert_ffn"] = hp["ffn"]
    if not hp["rel_heads"]:
        hp["rel_heads"] = hp["heads"]
    return hp


def norm_p(hp):
    """Parameters of one normalisation over d_model: layernorm has scale + bias."""
    return (2 if hp["norm"] == "layernorm" else 1) * hp["d_model"]


def attn_p(hp):
    """q, k, v, o projections (+ biases) of one attention block."""
    d, h, kv, hd = hp["d_model"], hp["heads"], hp["kv_heads"], hp["head_dim"]
    w = d * h * hd + 2 * d * kv * hd + h * hd * d
    b = (h * hd + 2 * kv * hd + d) if hp["attn_bias"] else 0
    return w + b


def mlp_p(hp, f):
    """One dense MLP of hidden size f: gated = 3 matrices, plain = 2."""
    d = hp["d_model"]
    if hp["mlp"] == "gated":
        return 3 * d * f + ((2 * f + d) if hp["mlp_bias"] else 0)
    return 2 * d * f + ((f + d) if hp["mlp_bias"] else 0)


def stack(hp, n_layers, f, cross):
    """Parameters of a stack of n_layers blocks; returns (total, inactive-expert params)."""
    n_moe = n_layers // hp["moe_every"] if hp["experts"] else 0
    n_dense = n_layers - n_moe
    per_layer = attn_p(hp) + (attn_p(hp) if cross else 0)
    norms = 1 if hp["parallel_block"] else 2
    norms += 2 if hp["sandwich_norm"] else 0
    norms += 1 if cross else 0
    per_layer += norms * norm_p(hp) + (2 * hp["head_dim"] if hp["qk_norm"] else 0)
    expert = mlp_p(hp, hp["expert_ffn"])
    moe_layer = hp["experts"] * expert + hp["d_model"] * hp["experts"]  # experts + router
    total = n_layers * per_layer + n_dense * mlp_p(hp, f) + n_moe * moe_layer
    inactive = n_moe * (hp["experts"] - hp["top_k"]) * expert
    return total, inactive


def count(model):
    """Returns (total params, active params, forward MACs or 0)."""
    hp = hp_of(model)
    d, arch = hp["d_model"], hp["arch"]
    macs = 0
    if arch == "vit":
        n = (model["default_image"] // hp["patch"]) ** 2
        total = hp["channels"] * hp["patch"] ** 2 * d + d  # patch conv + bias
        total += d + hp["max_pos"] * d                     # cls token + positions
        body, inactive = stack(hp, hp["layers"], hp["ffn"], cross=False)
        total += body + hp["final_norm"] * norm_p(hp) + d * hp["classes"] + hp["classes"]
        t = n + 1
        inner = hp["heads"] * hp["head_dim"]
        per_tok = 2 * d * inner + 2 * d * hp["kv_heads"] * hp["head_dim"] + 2 * d * hp["ffn"]
        macs = n * hp["channels"] * hp["patch"] ** 2 * d
        macs += hp["layers"] * (t * per_tok + 2 * t * t * inner) + d * hp["classes"]
        return total, total - inactive, macs
    emb = hp["vocab"] * d + hp["max_pos"] * d + hp["type_vocab"] * d
    emb += hp["embed_norm"] * norm_p(hp)
    out_vocab = hp["dec_vocab"] or hp["vocab"]
    if arch == "encoder-decoder":
        emb += hp["dec_vocab"] * d  # separate target-side table when dec_vocab is given
        enc, ina_e = stack(hp, hp["enc_layers"], hp["enc_ffn"] or hp["ffn"], cross=False)
        dec, ina_d = stack(hp, hp["dec_layers"], hp["dec_ffn"] or hp["ffn"], cross=True)
        body, inactive = enc + dec, ina_e + ina_d
        body += 2 * hp["final_norm"] * norm_p(hp)
        body += 2 * hp["rel_buckets"] * hp["rel_heads"]  # one bias table per stack
    else:
        body, inactive = stack(hp, hp["layers"], hp["ffn"], cross=False)
        body += hp["final_norm"] * norm_p(hp)
        body += hp["rel_buckets"] * hp["rel_heads"]
    head = 0
    if hp["lm_head"]:
        head = (0 if hp["tied"] else out_vocab * d) + hp["lm_head_bias"] * out_vocab
    pooler = (d * d + d) if hp["pooler"] else 0
    total = emb + body + head + pooler
    return total, total - inactive, macs


def fmt(x):
    if x == 0:
        return "-"
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if x >= scale:
            return f"{x / scale:.4g}{unit}"
    return f"{x:.4g}"


def rel(a, b):
    return (a - b) / b if b else 0.0


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("transformers.toml")
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    if doc.get("schema_version") != 1:
        print("schema_version must be 1")
        return 1
    bad = []
    hdr = (f"{'name':<15} {'computed':>10} {'published':>10} {'rel.err':>8} {'tol':>5}"
           f"   {'active':>8} {'pub.act':>8} {'rel.err':>8}   {'MACs':>8} {'pub.MACs':>8} {'rel.err':>8}")
    print(hdr)
    print("-" * len(hdr))
    for m in doc["model"]:
        try:
            total, active, macs = count(m)
        except (ValueError, KeyError, ZeroDivisionError) as e:
            print(f"{m.get('name', '?'):<15} ERROR {e}")
            bad.append(m.get("name", "?"))
            continue
        pub = m["published"]
        tol = pub.get("tolerance", 0.02)
        e_p = rel(total, pub["params"])
        pa = pub.get("active_params", 0)
        e_a = rel(active, pa) if pa else 0.0
        pm = pub.get("macs_per_sample", 0)
        e_m = rel(macs, pm) if pm else 0.0
        flag = ""
        if abs(e_p) > tol or (pa and abs(e_a) > max(tol, 0.02)) or (pm and abs(e_m) > tol):
            flag = "  <-- outside tolerance"
            bad.append(m["name"])
        elif abs(e_p) > 0.02:
            flag = "  (>2%, within its stated tolerance)"
        act = fmt(active) if pa else "-"
        print(f"{m['name']:<15} {fmt(total):>10} {fmt(pub['params']):>10} {e_p:>+8.2%} {tol:>5.2f}"
              f"   {act:>8} {fmt(pa):>8} {(f'{e_a:+.2%}' if pa else '-'):>8}"
              f"   {fmt(macs) if pm else '-':>8} {fmt(pm):>8} {(f'{e_m:+.2%}' if pm else '-'):>8}{flag}")
    print()
    if bad:
        print("FAILED:", ", ".join(bad))
        return 1
    print(f"all {len(doc['model'])} models within tolerance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
