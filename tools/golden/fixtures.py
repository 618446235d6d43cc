"""Writes PyTorch tensors to .safetensors fixture files (the published format, no extra packages).

Format: 8-byte little-endian header length N, then N bytes of JSON
{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {...}},
then the raw little-endian tensor bytes. Offsets are relative to the end of the header.
"""
import json
import os
import struct

import torch

DTYPES = {
    torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL",
}

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-core", "src", "test", "resources", "golden")


def save(tensors, path, metadata=None):
    """Saves a dict name -> tensor (made contiguous, detached) to path, atomically."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().tobytes()
        else:
            raw = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)  # align the data to 8 bytes, as the reference writer does
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def fixture_path(name):
    """Path of a fixture file in the core module's test resources, e.g. fixture_path('ops_unary')."""
    return os.path.join(OUT_DIR, name + ".safetensors")
