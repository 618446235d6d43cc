"""Fixtures for dev.torchlet.io: torch.save'd state dicts (zip and legacy format), a malicious
pickle, and a safetensors file written from Python, each with its expected values.

Writes to torchlet-core/src/test/resources/io/. Run with /usr/bin/python3 (PyTorch 1.13).
"""
import json
import os
import struct

import torch
import torch.nn as nn

import fixtures

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-core", "src", "test", "resources", "io")


def out(name):
    return os.path.join(OUT, name)


def mlp():
    """nn.Sequential(Linear(4, 3), ReLU(), Linear(3, 2)) with a saved input and its output."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    sd = model.state_dict()
    torch.save(sd, out("mlp.pt"))
    torch.save(sd, out("mlp_legacy.pt"), _use_new_zipfile_serialization=False)
    expected = {"state." + k: v for k, v in sd.items()}
    expected["input"] = x
    expected["output"] = y
    fixtures.save(expected, out("mlp_expected.safetensors"),
                  metadata={"keys": ",".join(sd.keys())})


def convbn():
    """Conv2d + BatchNorm2d (+ ReLU) after 3 training batches: running stats and int64
    num_batches_tracked == 3 in the state dict."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(2, 1, 5, 5))
    sd = model.state_dict()
    assert sd["1.num_batches_tracked"].dtype == torch.int64
    torch.save(sd, out("convbn.pt"))
    torch.save(sd, out("convbn_legacy.pt"), _use_new_zipfile_serialization=False)
    model.eval()
    x = torch.randn(2, 1, 6, 6)
    expected = {"state." + k: v for k, v in sd.items()}
    expected.update({"input": x, "eval_output": model(x).detach()})
    fixtures.save(expected, out("convbn_expected.safetensors"), metadata={"keys": ",".join(sd.keys())})


def views_and_dtypes():
    """Non-contiguous views (transpose, storage offset, shared storage), every storage dtype the
    reader supports, a 0-dim and an empty tensor; saved as a plain dict and as parameters."""
    torch.manual_seed(2)
    base = torch.randn(4, 5)
    sd = {
        "transposed": base.t(),                     # (5, 4), stride (1, 5)
        "narrowed": base[1:3, 2:],                  # (2, 3), offset 7, stride (5, 1)
        "strided": base[::2, ::3],                  # (2, 2), stride (10, 3)
        "base": base,                               # shares storage with the three above
        "f64": torch.randn(3, dtype=torch.float64),
        "f16": torch.tensor([1.0, -2.5, 65504.0, 0.1], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.0, 1e30, 0.1], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2 ** 40), 7], dtype=torch.int64),
        "i32": torch.tensor([[-5, 2 ** 31 - 1]], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
    }
    torch.save(sd, out("views_dtypes.pt"))
    expected = {}
    for k, v in sd.items():
        if v.dtype in (torch.float16, torch.bfloat16):
            v = v.float()
        elif v.dtype in (torch.int32, torch.int16, torch.int8, torch.uint8):
            v = v.long()
        expected[k] = v
    fixtures.save(expected, out("views_dtypes_expected.safetensors"))

    # a state dict with keep_vars=True pickles nn.Parameter via torch._utils._rebuild_parameter
    torch.manual_seed(3)
    lin = nn.Linear(2, 2)
    torch.save(lin.state_dict(keep_vars=True), out("parameters.pt"))
    fixtures.save({k: v.detach() for k, v in lin.state_dict().items()}, out("parameters_expected.safetensors"))


class Evil:
    """Unpickling this with pickle would run a shell command (posix.system on Linux)."""

    def __reduce__(self):
        return (os.system, ("echo torchlet-pwned > /tmp/torchlet-pwned",))


def malicious():
    torch.save({"weight": torch.ones(2), "payload": Evil()}, out("malicious.pt"))


def python_safetensors():
    """A safetensors file laid out like the reference writer does (data sorted by alignment, then
    name; header keys sorted, __metadata__ included), with F16/BF16/I32/U8/BOOL/F32/F64/I64."""
    torch.manual_seed(4)
    tensors = {
        "half": torch.tensor([[0.5, -1.25], [3.0, 1e-3]], dtype=torch.float16),
        "brain": torch.tensor([1.5, -2.0, 3e20], dtype=torch.bfloat16),
        "ints": torch.tensor([-7, 0, 2 ** 31 - 1], dtype=torch.int32),
        "bytes": torch.tensor([0, 17, 255], dtype=torch.uint8),
        "mask": torch.tensor([[True, False], [False, True]]),
        "weight": torch.randn(2, 3),
        "double": torch.randn(2, dtype=torch.float64),
        "longs": torch.tensor([-(2 ** 50), 3], dtype=torch.int64),
        "scalar": torch.tensor(2.0),
    }
    metadata = {"format": "pt", "source": "gen_io.py"}
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name in order:
        t = tensors[name].contiguous()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": fixtures.DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(out("python_written.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    expected = {}
    for k, v in tensors.items():
        if v.dtype in (torch.float16, torch.bfloat16):
            v = v.float()
        elif v.dtype in (torch.int32, torch.uint8):
            v = v.long()
        expected[k] = v
    fixtures.save(expected, out("python_written_expected.safetensors"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    mlp()
    convbn()
    views_and_dtypes()
    malicious()
    python_safetensors()
    print("wrote", sorted(os.listdir(OUT)))
