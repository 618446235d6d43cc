"""Goldens for RNN, LSTM, GRU and MultiheadAttention: parameters, outputs, final states, gradients.

Run: /usr/bin/python3 tools/golden/gen_rnn.py   (writes golden/rnn.safetensors)
"""
import torch
import torch.nn as nn

import fixtures

torch.manual_seed(0)
out = {}


def rnn_case(name, module, batch_first, with_h0):
    x = torch.randn(3, 5, 4) if batch_first else torch.randn(5, 3, 4)
    x.requires_grad_(True)
    for k, v in module.state_dict().items():
        out[f"{name}.param.{k}"] = v
    args = [x]
    h0 = c0 = None
    if with_h0:
        h0 = torch.randn(module.num_layers, 3, module.hidden_size)
        out[f"{name}.h0"] = h0
        if isinstance(module, nn.LSTM):
            c0 = torch.randn(module.num_layers, 3, module.hidden_size)
            out[f"{name}.c0"] = c0
            args.append((h0, c0))
        else:
            args.append(h0)
    y, state = module(*args)
    g = torch.randn_like(y)
    y.backward(g)
    out[f"{name}.x"] = x
    out[f"{name}.y"] = y
    out[f"{name}.g"] = g
    out[f"{name}.gx"] = x.grad
    if isinstance(state, tuple):
        out[f"{name}.h"], out[f"{name}.c"] = state
    else:
        out[f"{name}.h"] = state
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad


rnn_case("lstm", nn.LSTM(4, 6, 2, batch_first=True), True, False)
rnn_case("lstm_h0", nn.LSTM(4, 6, 1, batch_first=False), False, True)
rnn_case("gru", nn.GRU(4, 6, 2, batch_first=True), True, True)
rnn_case("rnn", nn.RNN(4, 6, 1, batch_first=True), True, False)
rnn_case("rnn_relu", nn.RNN(4, 6, 2, nonlinearity="relu", batch_first=False, bias=False), False, True)

# MultiheadAttention, batch_first, self-attention with a causal mask and key padding
mha = nn.MultiheadAttention(8, 2, batch_first=True)
for k, v in mha.state_dict().items():
    out[f"mha.param.{k}"] = v
x = torch.randn(2, 5, 8, requires_grad=True)
mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
pad = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
y, w = mha(x, x, x, attn_mask=mask, key_padding_mask=pad)
g = torch.randn_like(y)
y.backward(g)
out.update({"mha.x": x, "mha.mask": mask, "mha.pad": pad, "mha.y": y, "mha.w": w, "mha.g": g, "mha.gx": x.grad})
for k, p in mha.named_parameters():
    out[f"mha.grad.{k}"] = p.grad

fixtures.save(out, fixtures.fixture_path("rnn"))
print("wrote rnn fixtures")
