"""Goldens for the complete recurrent layers: bidirectional RNN (tanh/relu), LSTM (with proj_size) and GRU,
several layers, initial states, unbatched input, packed variable-length batches (sorted and unsorted), and
RNNCell / LSTMCell / GRUCell. For each case: parameters (state-dict names), inputs, outputs, final states,
and the gradients of the input, the initial states and every parameter of
loss = sum(output * g) + sum(h_n * gh) [+ sum(c_n * gc)].

Run: /usr/bin/python3 tools/golden/gen_rnn_full.py   (writes golden/rnn_full.safetensors)
"""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import fixtures

torch.manual_seed(0)
out = {}
B, T, IN = 3, 5, 4


def save_params(name, module):
    for k, v in module.state_dict().items():
        out[f"{name}.param.{k}"] = v


def save_grads(name, module):
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad


def states(name, module, batch, unbatched=False):
    d = 2 if module.bidirectional else 1
    hr = module.proj_size if getattr(module, "proj_size", 0) > 0 else module.hidden_size
    lead = (module.num_layers * d,) if unbatched else (module.num_layers * d, batch)
    h0 = torch.randn(*lead, hr).requires_grad_(True)
    out[f"{name}.h0"] = h0
    if isinstance(module, nn.LSTM):
        c0 = torch.randn(*lead, module.hidden_size).requires_grad_(True)
        out[f"{name}.c0"] = c0
        return h0, c0
    return h0, None


def finish(name, module, y, state, x, h0, c0):
    """Backward of sum(y * g) + sum(h_n * gh) (+ sum(c_n * gc)); saves outputs and gradients."""
    if isinstance(state, tuple):
        hn, cn = state
    else:
        hn, cn = state, None
    g = torch.randn_like(y)
    gh = torch.randn_like(hn)
    loss = (y * g).sum() + (hn * gh).sum()
    out[f"{name}.y"] = y
    out[f"{name}.h"] = hn
    out[f"{name}.g"] = g
    out[f"{name}.gh"] = gh
    if cn is not None:
        gc = torch.randn_like(cn)
        loss = loss + (cn * gc).sum()
        out[f"{name}.c"] = cn
        out[f"{name}.gc"] = gc
    loss.backward()
    out[f"{name}.gx"] = x.grad
    if h0 is not None:
        out[f"{name}.gh0"] = h0.grad
    if c0 is not None:
        out[f"{name}.gc0"] = c0.grad
    save_grads(name, module)


def dense_case(name, module, with_h0, unbatched=False):
    """A padded-free batch: (B, T, IN) if batch_first, (T, B, IN) if not, (T, IN) if unbatched."""
    module.eval()
    save_params(name, module)
    if unbatched:
        x = torch.randn(T, IN)
    else:
        x = torch.randn(B, T, IN) if module.batch_first else torch.randn(T, B, IN)
    x.requires_grad_(True)
    out[f"{name}.x"] = x
    h0 = c0 = None
    if with_h0:
        h0, c0 = states(name, module, B, unbatched)
        y, state = module(x, (h0, c0) if c0 is not None else h0)
    else:
        y, state = module(x)
    finish(name, module, y, state, x, h0, c0)


def packed_case(name, module, lengths, enforce_sorted, with_h0):
    """A padded batch packed with pack_padded_sequence; output unpacked with pad_packed_sequence."""
    module.eval()
    save_params(name, module)
    x = torch.randn(len(lengths), T, IN) if module.batch_first else torch.randn(T, len(lengths), IN)
    x.requires_grad_(True)
    lens = torch.tensor(lengths, dtype=torch.int64)
    out[f"{name}.x"] = x
    out[f"{name}.lengths"] = lens
    packed = pack_padded_sequence(x, lens, batch_first=module.batch_first, enforce_sorted=enforce_sorted)
    out[f"{name}.packed_data"] = packed.data
    out[f"{name}.batch_sizes"] = packed.batch_sizes
    if packed.sorted_indices is not None:
        out[f"{name}.sorted_indices"] = packed.sorted_indices
        out[f"{name}.unsorted_indices"] = packed.unsorted_indices
    h0 = c0 = None
    if with_h0:
        h0, c0 = states(name, module, len(lengths))
        y, state = module(packed, (h0, c0) if c0 is not None else h0)
    else:
        y, state = module(packed)
    out[f"{name}.y_data"] = y.data
    padded, out_lens = pad_packed_sequence(y, batch_first=module.batch_first)
    assert out_lens.tolist() == lengths
    finish(name, module, padded, state, x, h0, c0)


dense_case("lstm_bi", nn.LSTM(IN, 6, 2, batch_first=True, bidirectional=True), True)
dense_case("lstm_bi_zero", nn.LSTM(IN, 5, 1, batch_first=False, bidirectional=True), False)
dense_case("gru_bi", nn.GRU(IN, 5, 2, batch_first=False, bidirectional=True), True)
dense_case("rnn_bi_relu", nn.RNN(IN, 5, 1, nonlinearity="relu", batch_first=True, bidirectional=True), True)
dense_case("rnn_bi_tanh", nn.RNN(IN, 5, 2, batch_first=True, bidirectional=True, bias=False), True)
dense_case("lstm_proj", nn.LSTM(IN, 6, 2, batch_first=True, proj_size=3), True)
dense_case("lstm_proj_bi", nn.LSTM(IN, 6, 2, batch_first=False, proj_size=4, bidirectional=True), True)
dense_case("lstm_unbatched", nn.LSTM(IN, 5, 2, bidirectional=True), True, unbatched=True)
dense_case("gru_unbatched", nn.GRU(IN, 5, 1, batch_first=True), True, unbatched=True)

packed_case("lstm_packed", nn.LSTM(IN, 5, 2, batch_first=True, bidirectional=True), [3, 5, 1, 4], False, True)
packed_case("gru_packed", nn.GRU(IN, 5, 2, batch_first=False), [5, 4, 2, 2], True, True)
packed_case("rnn_packed", nn.RNN(IN, 5, 1, nonlinearity="relu", bidirectional=True), [2, 5, 3], False, False)
packed_case("lstm_proj_packed", nn.LSTM(IN, 6, 1, batch_first=True, proj_size=3, bidirectional=True),
            [4, 2, 5], False, True)
packed_case("gru_packed_full", nn.GRU(IN, 4, 1, batch_first=True, bidirectional=True), [5, 5, 5], True, True)


def cell_case(name, cell, batched, with_state):
    save_params(name, cell)
    x = (torch.randn(B, IN) if batched else torch.randn(IN)).requires_grad_(True)
    out[f"{name}.x"] = x
    lead = (B,) if batched else ()
    h0 = c0 = None
    if with_state:
        h0 = torch.randn(*lead, cell.hidden_size).requires_grad_(True)
        out[f"{name}.h0"] = h0
        if isinstance(cell, nn.LSTMCell):
            c0 = torch.randn(*lead, cell.hidden_size).requires_grad_(True)
            out[f"{name}.c0"] = c0
            res = cell(x, (h0, c0))
        else:
            res = cell(x, h0)
    else:
        res = cell(x)
    if isinstance(res, tuple):
        h, c = res
    else:
        h, c = res, None
    gh = torch.randn_like(h)
    loss = (h * gh).sum()
    out[f"{name}.h"] = h
    out[f"{name}.gh"] = gh
    if c is not None:
        gc = torch.randn_like(c)
        loss = loss + (c * gc).sum()
        out[f"{name}.c"] = c
        out[f"{name}.gc"] = gc
    loss.backward()
    out[f"{name}.gx"] = x.grad
    if h0 is not None:
        out[f"{name}.gh0"] = h0.grad
    if c0 is not None:
        out[f"{name}.gc0"] = c0.grad
    save_grads(name, cell)


cell_case("rnn_cell", nn.RNNCell(IN, 5), True, True)
cell_case("rnn_cell_relu", nn.RNNCell(IN, 5, bias=False, nonlinearity="relu"), True, False)
cell_case("gru_cell", nn.GRUCell(IN, 5), True, True)
cell_case("gru_cell_unbatched", nn.GRUCell(IN, 5), False, True)
cell_case("lstm_cell", nn.LSTMCell(IN, 5), True, True)
cell_case("lstm_cell_unbatched", nn.LSTMCell(IN, 5, bias=False), False, False)

fixtures.save(out, fixtures.fixture_path("rnn_full"))
print("wrote rnn_full fixtures")
