"""Goldens for the attention stack: scaled dot-product attention, MultiheadAttention options,
TransformerEncoder / TransformerDecoderLayer / TransformerDecoder / Transformer, and position encodings.

Run: /usr/bin/python3 tools/golden/gen_attention.py   (writes golden/attention.safetensors)

PyTorch 1.13 has no F.scaled_dot_product_attention, so sdpa_ref below writes PyTorch 2's math
explicitly (boolean mask: True = takes part; float mask: added to the scores; is_causal: a
top-left-aligned lower-triangular mask). Position encodings have no torch.nn class either; their
formulas are written here and in the Java Javadoc.

Keys per case: <case>.param.<state-dict key>, inputs (<case>.q, .k, .v, .x, ... and masks),
outputs (<case>.y, <case>.w), output gradients (<case>.g, <case>.gw: the loss is
sum(y * g) + sum(w * gw)), input gradients (<case>.g<input>) and <case>.grad.<param>.
"""
import math

import torch
import torch.nn as nn

import fixtures

torch.manual_seed(0)
out = {}
NEG_INF = float("-inf")


def sdpa_ref(q, k, v, mask=None, causal=False, scale=None):
    """PyTorch 2's F.scaled_dot_product_attention without dropout, written out."""
    L, S = q.size(-2), k.size(-2)
    scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    s = q @ k.transpose(-2, -1) * scale
    if causal:
        s = s.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), NEG_INF)
    if mask is not None:
        s = s.masked_fill(~mask, NEG_INF) if mask.dtype == torch.bool else s + mask
    return torch.softmax(s, -1) @ v


def sdpa_case(name, q, k, v, mask=None, causal=False, scale=None):
    q, k, v = (t.clone().requires_grad_(True) for t in (q, k, v))
    if mask is not None and mask.dtype != torch.bool:
        mask = mask.clone().requires_grad_(True)
    y = sdpa_ref(q, k, v, mask, causal, scale)
    g = torch.randn_like(y)
    y.backward(g)
    out.update({f"{name}.q": q, f"{name}.k": k, f"{name}.v": v, f"{name}.y": y, f"{name}.g": g,
                f"{name}.gq": q.grad, f"{name}.gk": k.grad, f"{name}.gv": v.grad})
    if mask is not None:
        out[f"{name}.mask"] = mask
        if mask.dtype != torch.bool:
            out[f"{name}.gmask"] = mask.grad


sdpa_case("sdpa_plain", torch.randn(2, 3, 4, 8), torch.randn(2, 3, 6, 8), torch.randn(2, 3, 6, 8))
sdpa_case("sdpa_causal", torch.randn(2, 2, 5, 4), torch.randn(2, 2, 5, 4), torch.randn(2, 2, 5, 4), causal=True)
sdpa_case("sdpa_causal_rect", torch.randn(3, 4, 4), torch.randn(3, 6, 4), torch.randn(3, 6, 4), causal=True)
bool_mask = torch.rand(4, 6) > 0.4
bool_mask[:, 0] = True  # no fully masked row
sdpa_case("sdpa_bool", torch.randn(2, 2, 4, 8), torch.randn(2, 2, 6, 8), torch.randn(2, 2, 6, 8), bool_mask)
sdpa_case("sdpa_float", torch.randn(2, 2, 4, 8), torch.randn(2, 2, 6, 8), torch.randn(2, 2, 6, 8),
          torch.randn(2, 1, 4, 6))
sdpa_case("sdpa_ev", torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 7), scale=0.3)


def module_case(name, module, inputs, call, train=False):
    """inputs: dict of name -> tensor; floats among them become leaves whose gradients are stored."""
    module.train(train)
    for key, val in module.state_dict().items():
        out[f"{name}.param.{key}"] = val.clone()
    leaves = {}
    for key, t in inputs.items():
        if t is not None and t.is_floating_point() and not key.endswith("mask"):
            t = t.clone().requires_grad_(True)
        leaves[key] = t
        if t is not None:
            out[f"{name}.{key}"] = t
    res = call(module, leaves)
    y, w = res if isinstance(res, tuple) else (res, None)
    g = torch.randn_like(y)
    loss = (y * g).sum()
    out[f"{name}.y"], out[f"{name}.g"] = y, g
    if w is not None:
        gw = torch.randn_like(w)
        loss = loss + (w * gw).sum()
        out[f"{name}.w"], out[f"{name}.gw"] = w, gw
    loss.backward()
    for key, t in leaves.items():
        if t is not None and t.requires_grad:
            out[f"{name}.g{key}"] = t.grad
    for key, p in module.named_parameters():
        out[f"{name}.grad.{key}"] = p.grad


def pad_mask(b, t, lengths):
    return torch.arange(t).unsqueeze(0) >= torch.tensor(lengths).unsqueeze(1)  # (B, T), True = padding


# --- MultiheadAttention: kdim/vdim, per-head weights, bool/float/3-D masks, time-first, no bias
module_case("mha_kvdim", nn.MultiheadAttention(8, 2, kdim=5, vdim=3, batch_first=True),
            {"q": torch.randn(2, 4, 8), "k": torch.randn(2, 6, 5), "v": torch.randn(2, 6, 3),
             "key_padding_mask": pad_mask(2, 6, [6, 4])},
            lambda m, a: m(a["q"], a["k"], a["v"], key_padding_mask=a["key_padding_mask"]))
module_case("mha_perhead", nn.MultiheadAttention(8, 2),
            {"q": torch.randn(3, 2, 8), "k": torch.randn(4, 2, 8), "v": torch.randn(4, 2, 8),
             "attn_mask": torch.randn(3, 4)},
            lambda m, a: m(a["q"], a["k"], a["v"], attn_mask=a["attn_mask"], average_attn_weights=False))
mask3 = torch.rand(2 * 4, 5, 5) > 0.5
mask3[..., 0] = False  # MHA bool masks: True = not allowed; keep key 0 for every query
module_case("mha_mask3d", nn.MultiheadAttention(8, 4, batch_first=True),
            {"x": torch.randn(2, 5, 8), "attn_mask": mask3, "key_padding_mask": pad_mask(2, 5, [5, 3])},
            lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=a["attn_mask"], key_padding_mask=a["key_padding_mask"]))
module_case("mha_nobias", nn.MultiheadAttention(8, 2, bias=False, batch_first=True),
            {"x": torch.randn(2, 5, 8), "attn_mask": nn.Transformer.generate_square_subsequent_mask(5)},
            lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=a["attn_mask"], need_weights=False)[0])
module_case("mha_kvdim_fused", nn.MultiheadAttention(6, 3, kdim=4, vdim=4),
            {"q": torch.randn(3, 2, 6), "k": torch.randn(5, 2, 4), "v": torch.randn(5, 2, 4),
             "attn_mask": torch.triu(torch.ones(3, 5, dtype=torch.bool), diagonal=3)},
            lambda m, a: m(a["q"], a["k"], a["v"], attn_mask=a["attn_mask"], need_weights=False)[0])

# --- Transformer stacks (dropout 0, training mode so the slow path with gradients runs)
out["square_subsequent_mask"] = nn.Transformer.generate_square_subsequent_mask(4)
enc_layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
module_case("encoder_stack", nn.TransformerEncoder(enc_layer, 2, norm=nn.LayerNorm(8)),
            {"x": torch.randn(2, 5, 8), "mask": nn.Transformer.generate_square_subsequent_mask(5),
             "src_key_padding_mask": pad_mask(2, 5, [5, 4])},
            lambda m, a: m(a["x"], mask=a["mask"], src_key_padding_mask=a["src_key_padding_mask"]))
module_case("decoder_layer_prenorm",
            nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation="gelu", norm_first=True),
            {"tgt": torch.randn(4, 2, 8), "memory": torch.randn(5, 2, 8),
             "tgt_mask": nn.Transformer.generate_square_subsequent_mask(4),
             "memory_key_padding_mask": pad_mask(2, 5, [5, 3])},
            lambda m, a: m(a["tgt"], a["memory"], tgt_mask=a["tgt_mask"],
                           memory_key_padding_mask=a["memory_key_padding_mask"]))
module_case("decoder_layer", nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
            {"tgt": torch.randn(2, 4, 8), "memory": torch.randn(2, 5, 8),
             "tgt_key_padding_mask": pad_mask(2, 4, [4, 2]),
             "memory_mask": torch.randn(4, 5)},
            lambda m, a: m(a["tgt"], a["memory"], memory_mask=a["memory_mask"],
                           tgt_key_padding_mask=a["tgt_key_padding_mask"]))
dec_layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
module_case("decoder_stack", nn.TransformerDecoder(dec_layer, 2, norm=nn.LayerNorm(8)),
            {"tgt": torch.randn(2, 4, 8), "memory": torch.randn(2, 5, 8),
             "tgt_mask": nn.Transformer.generate_square_subsequent_mask(4)},
            lambda m, a: m(a["tgt"], a["memory"], tgt_mask=a["tgt_mask"]))
module_case("transformer", nn.Transformer(8, 2, 2, 2, 16, dropout=0.0),
            {"src": torch.randn(5, 2, 8), "tgt": torch.randn(4, 2, 8),
             "tgt_mask": nn.Transformer.generate_square_subsequent_mask(4),
             "src_key_padding_mask": pad_mask(2, 5, [5, 3]),
             "memory_key_padding_mask": pad_mask(2, 5, [5, 3])},
            lambda m, a: m(a["src"], a["tgt"], tgt_mask=a["tgt_mask"], src_key_padding_mask=a["src_key_padding_mask"],
                           memory_key_padding_mask=a["memory_key_padding_mask"]))
module_case("transformer_prenorm",
            nn.Transformer(8, 4, 1, 2, 12, dropout=0.0, activation="gelu", norm_first=True, batch_first=True,
                           layer_norm_eps=1e-6),
            {"src": torch.randn(2, 5, 8), "tgt": torch.randn(2, 3, 8),
             "src_mask": torch.randn(5, 5), "tgt_mask": nn.Transformer.generate_square_subsequent_mask(3),
             "memory_mask": torch.rand(3, 5) > 0.7},
            lambda m, a: m(a["src"], a["tgt"], src_mask=a["src_mask"], tgt_mask=a["tgt_mask"],
                           memory_mask=a["memory_mask"]))


# --- position encodings (formulas as in the Java Javadoc)
def sinusoidal_table(t, d):
    pos = torch.arange(t, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(t, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)[:, : d // 2]
    return pe


x = torch.randn(2, 6, 8, requires_grad=True)
y = x + sinusoidal_table(6, 8)
out.update({"sinusoidal.x": x, "sinusoidal.y": y, "sinusoidal.table7x5": sinusoidal_table(7, 5)})

weight = torch.randn(10, 8, requires_grad=True)
x = torch.randn(2, 6, 8, requires_grad=True)
y = x + weight[2:8]  # offset 2
g = torch.randn_like(y)
y.backward(g)
out.update({"learned.param.weight": weight, "learned.x": x, "learned.y": y, "learned.g": g,
            "learned.gx": x.grad, "learned.grad.weight": weight.grad})


def rotary(x, offset=0, base=10000.0):
    """RoPE, rotate-half (GPT-NeoX / Llama) layout over the last dim D of (..., T, D)."""
    t, d = x.size(-2), x.size(-1)
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    ang = torch.arange(offset, offset + t, dtype=torch.float32).unsqueeze(1) * inv_freq  # (T, D/2)
    cos, sin = torch.cat([ang.cos(), ang.cos()], -1), torch.cat([ang.sin(), ang.sin()], -1)
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


x = torch.randn(2, 3, 5, 8, requires_grad=True)
y = rotary(x, offset=3)
g = torch.randn_like(y)
y.backward(g)
out.update({"rotary.x": x, "rotary.y": y, "rotary.g": g, "rotary.gx": x.grad})

fixtures.save(out, fixtures.fixture_path("attention"))
print("wrote attention fixtures")
