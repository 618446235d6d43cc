"""ONNX import fixtures for Einsum, the int8 operators and If/Loop, with ONNX Runtime's outputs as the reference.

Run: cd tools/golden && /usr/bin/python3 gen_onnx_ops.py
(needs python3-torch, python3-onnx and npm's onnxruntime-node under /tmp/ortnode/node_modules, or NODE_PATH set).
Writes torchlet-onnx/src/test/resources/onnx/<name>.onnx and <name>.safetensors; each fixture holds
"input.<graph input>" and "output.<graph output>" for one or more cases ("<case>/<name>" keys, see CASES below),
written by gen_onnx_ort_run.mjs from ONNX Runtime's run of the file.

- einsum_opset12: torch.einsum in a small network (matmul-like, batch, diagonal, ellipsis and reduction
  equations), exported by torch.onnx; PyTorch's own outputs are checked against ONNX Runtime here too.
- qlinear_opset13: built with onnx.helper: QuantizeLinear (uint8; int8 per axis), QLinearConv (uint8 x, int8
  per-channel weights, int32 bias), QLinearMatMul (int8), ConvInteger, DequantizeLinear (per tensor and per axis).
- control_flow_opset13: a torch.jit.script'ed module with a for loop over time (Loop whose body reads the input
  and a parameter from the outer graph) and an if on the result (If), exported by torch.onnx.
- bicubic_opset13: torch's bicubic interpolate (align_corners False and True; by scale and by size), exported as
  Resize in cubic mode (pytorch_half_pixel / align_corners, cubic_coeff_a -0.75).
- loop_scan_opset13: built with onnx.helper: a Loop with a trip count and a condition computed in the body, a
  loop-carried value and a scan output.
"""
import os
import subprocess
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

import fixtures

torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "torchlet-onnx", "src", "test", "resources", "onnx")
NODE_PATH = os.environ.get("NODE_PATH", "/tmp/ortnode/node_modules")


def ort_fixture(name, cases):
    """Runs OUT/<name>.onnx in ONNX Runtime for each case (dict input name -> tensor) and merges the results into
    OUT/<name>.safetensors as "<case>/input.<x>" and "<case>/output.<y>"."""
    import json
    import struct
    merged = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case, feeds in cases.items():
            inputs = os.path.join(tmp, "inputs.safetensors")
            result = os.path.join(tmp, "result.safetensors")
            fixtures.save(feeds, inputs)
            subprocess.run(["node", os.path.join(HERE, "gen_onnx_ort_run.mjs"), os.path.join(OUT, name + ".onnx"),
                            inputs, result], check=True, env=dict(os.environ, NODE_PATH=NODE_PATH))
            with open(result, "rb") as f:
                n = struct.unpack("<Q", f.read(8))[0]
                header = json.loads(f.read(n))
                data = f.read()
            meta = header.pop("__metadata__")
            for key, info in header.items():
                b, e = info["data_offsets"]
                dtype = {"F32": np.float32, "I64": np.int64, "BOOL": np.bool_}[info["dtype"]]
                merged[case + "/" + key] = torch.from_numpy(
                    np.frombuffer(data[b:e], dtype=dtype).reshape(info["shape"]).copy())
    ops = sorted({n.op_type for n in onnx.load(os.path.join(OUT, name + ".onnx")).graph.node})
    fixtures.save(merged, os.path.join(OUT, name + ".safetensors"),
                  {"generator": "tools/golden/gen_onnx_ops.py + gen_onnx_ort_run.mjs", "onnxruntime": meta["onnxruntime"],
                   "ops": ",".join(ops)})
    print(name, ops, sorted(merged))
    return merged


def check_against_torch(merged, model, cases, atol=1e-5):
    """PyTorch's outputs agree with ONNX Runtime's (a check of the export, not a fixture)."""
    for case, feeds in cases.items():
        with torch.no_grad():
            expected = model(*feeds.values())
        got = merged[case + "/output.output"]
        assert torch.allclose(expected, got, atol=atol), (case, (expected - got).abs().max())


# ---------------------------------------------------------------- Einsum


class EinsumNet(nn.Module):
    """(N, 4, 5) -> (N, 16 + 4 + 5 + 1) from einsum equations of every kind."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(5, 6) * 0.5)
        self.u = nn.Parameter(torch.randn(6, 5) * 0.5)

    def forward(self, x):
        a = torch.einsum("nij,jk->nik", x, self.w)  # (N, 4, 6): a matmul with a parameter
        b = torch.einsum("nik,kj->nij", torch.tanh(a), self.u)  # (N, 4, 5)
        g = torch.einsum("nij,nkj->nik", x, b)  # (N, 4, 4): batch, contraction over j
        d = torch.einsum("nii->ni", g)  # (N, 4): a diagonal
        e = torch.einsum("...ij->...j", x)  # (N, 5): ellipsis and a reduction
        t = torch.einsum("nij,nij->n", x, b)  # (N,): a full contraction per batch
        return torch.cat([g.flatten(1), d, e, t.unsqueeze(1)], 1)


def einsum_fixture():
    name = "einsum_opset12"
    model = EinsumNet().eval()
    torch.onnx.export(model, torch.randn(2, 4, 5), os.path.join(OUT, name + ".onnx"), opset_version=12,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    cases = {"b1": {"input": torch.randn(1, 4, 5)}, "b3": {"input": torch.randn(3, 4, 5)}}
    check_against_torch(ort_fixture(name, cases), model, cases)


# ---------------------------------------------------------------- int8 operators


def qlinear_fixture():
    name = "qlinear_opset13"
    rng = np.random.default_rng(0)
    w = rng.integers(-60, 60, size=(4, 3, 3, 3)).astype(np.int8)  # QLinearConv weights, int8, per channel
    w_u8 = rng.integers(0, 255, size=(2, 3, 2, 2)).astype(np.uint8)  # ConvInteger weights
    b = rng.integers(-127, 127, size=(6, 5)).astype(np.int8)  # QLinearMatMul's right matrix
    inits = [
        numpy_helper.from_array(np.array(0.02, np.float32), "x_scale"),
        numpy_helper.from_array(np.array(128, np.uint8), "x_zero"),
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array(np.array([0.004, 0.006, 0.005, 0.003], np.float32), "w_scale"),
        numpy_helper.from_array(np.zeros(4, np.int8), "w_zero"),
        numpy_helper.from_array(np.array([120, -800, 0, 3000], np.int32), "bias"),
        numpy_helper.from_array(np.array(0.05, np.float32), "y_scale"),
        numpy_helper.from_array(np.array(100, np.uint8), "y_zero"),
        numpy_helper.from_array(w_u8, "w_u8"),
        numpy_helper.from_array(np.array(0.03, np.float32), "m_scale"),
        numpy_helper.from_array(np.array(-3, np.int8), "m_zero"),
        numpy_helper.from_array(b, "b"),
        numpy_helper.from_array(np.array(0.01, np.float32), "b_scale"),
        numpy_helper.from_array(np.array(2, np.int8), "b_zero"),
        numpy_helper.from_array(np.array(0.08, np.float32), "mm_scale"),
        numpy_helper.from_array(np.array(-10, np.int8), "mm_zero"),
        numpy_helper.from_array(np.array([0.01, 0.02, 0.04, 0.005], np.float32), "axis_scale"),
        numpy_helper.from_array(np.array([0, -20, 15, 100], np.int8), "axis_zero"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["x_q"]),  # uint8
        helper.make_node("QLinearConv", ["x_q", "x_scale", "x_zero", "w", "w_scale", "w_zero", "y_scale", "y_zero",
                                         "bias"], ["conv_q"], pads=[1, 1, 1, 1], strides=[2, 1]),
        helper.make_node("DequantizeLinear", ["conv_q", "y_scale", "y_zero"], ["conv"]),
        helper.make_node("ConvInteger", ["x_q", "w_u8", "x_zero"], ["conv_int"], pads=[0, 1, 0, 1]),
        helper.make_node("QuantizeLinear", ["m", "m_scale", "m_zero"], ["m_q"]),  # int8
        helper.make_node("QLinearMatMul", ["m_q", "m_scale", "m_zero", "b", "b_scale", "b_zero", "mm_scale",
                                           "mm_zero"], ["mm_q"]),  # int8
        helper.make_node("QuantizeLinear", ["m", "axis_scale", "axis_zero"], ["axis_q"], axis=0),  # int8 per row
        helper.make_node("DequantizeLinear", ["axis_q", "axis_scale", "axis_zero"], ["axis_dq"], axis=0),
    ]
    graph = helper.make_graph(
        nodes, "qlinear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 7, 6]),
         helper.make_tensor_value_info("m", TensorProto.FLOAT, [4, 6])],
        [helper.make_tensor_value_info("conv_q", TensorProto.UINT8, ["N", 4, 4, 6]),
         helper.make_tensor_value_info("conv", TensorProto.FLOAT, ["N", 4, 4, 6]),
         helper.make_tensor_value_info("conv_int", TensorProto.INT32, ["N", 2, 6, 7]),
         helper.make_tensor_value_info("mm_q", TensorProto.INT8, [4, 5]),
         helper.make_tensor_value_info("axis_q", TensorProto.INT8, [4, 6]),
         helper.make_tensor_value_info("axis_dq", TensorProto.FLOAT, [4, 6])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="gen_onnx_ops.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    cases = {"a": {"x": torch.randn(2, 3, 7, 6) * 1.5, "m": torch.randn(4, 6) * 2},
             "b": {"x": torch.rand(1, 3, 7, 6) * 6 - 3, "m": torch.randn(4, 6) * 4}}
    ort_fixture(name, cases)


# ---------------------------------------------------------------- If and Loop


class ControlFlow(nn.Module):
    """(T, 4) -> (4,): h = tanh(w h + x[t]) over time from h = 0, then 2 h if sum(h) > 0 else h - 1."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(4, 4) * 0.5)

    def forward(self, x):
        h = torch.zeros(x.size(1))
        for i in range(x.size(0)):
            h = torch.tanh(torch.matmul(self.w, h) + x[i])
        if bool(h.sum() > 0):
            out = h * 2.0
        else:
            out = h - 1.0
        return out


def control_flow_fixture():
    name = "control_flow_opset13"
    model = ControlFlow().eval()
    scripted = torch.jit.script(model)
    torch.onnx.export(scripted, (torch.randn(5, 4),), os.path.join(OUT, name + ".onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "time"}})
    x = torch.randn(5, 4)
    # h(-x) = -h(x) (tanh is odd, h starts at 0): the two cases take the two branches
    cases = {"t5": {"input": x}, "t5neg": {"input": -x}, "t2": {"input": torch.randn(2, 4)}}
    check_against_torch(ort_fixture(name, cases), model, cases)


def loop_scan_fixture():
    """Loop(M, cond, s): s = s * 0.9 + x (an outer value) while i < M and sum(s) < limit; scan out s * i."""
    name = "loop_scan_opset13"
    body = helper.make_graph(
        [
            helper.make_node("Mul", ["s_in", "decay"], ["s_decayed"]),
            helper.make_node("Add", ["s_decayed", "x"], ["s_out"]),
            helper.make_node("Cast", ["i"], ["i_float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["s_out", "i_float"], ["scan"]),
            helper.make_node("ReduceSum", ["s_out"], ["total"], keepdims=0),
            helper.make_node("Less", ["total", "limit"], ["cond_out"]),
        ],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("s_in", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("s_out", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("scan", TensorProto.FLOAT, [3])],
        [numpy_helper.from_array(np.array(0.9, np.float32), "decay")])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["trip_count", "cond", "s0"], ["s_final", "scans"], body=body)],
        "loop_scan",
        [helper.make_tensor_value_info("trip_count", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
         helper.make_tensor_value_info("s0", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("limit", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("s_final", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("scans", TensorProto.FLOAT, ["I", 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="gen_onnx_ops.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    x = torch.rand(3)
    true = torch.tensor(True)
    cases = {
        "trips": {"trip_count": torch.tensor(6), "cond": true, "s0": torch.zeros(3), "x": x,
                  "limit": torch.tensor(1e9)},  # stops at M = 6
        "cond": {"trip_count": torch.tensor(50), "cond": true, "s0": torch.ones(3), "x": x,
                 "limit": torch.tensor(12.0)},  # stops when the running sum reaches the limit
        "none": {"trip_count": torch.tensor(0), "cond": true, "s0": torch.ones(3), "x": x,
                 "limit": torch.tensor(12.0)},  # no iteration: s0 back, an empty (0, 3) scan
    }
    ort_fixture(name, cases)


# ---------------------------------------------------------------- Resize, cubic


class Bicubic(nn.Module):
    """(N, 2, 5, 6) -> bicubic x2 (half-pixel) and to 4x9 (align_corners), flattened and concatenated."""

    def forward(self, x):
        a = nn.functional.interpolate(x, scale_factor=2, mode="bicubic", align_corners=False)
        b = nn.functional.interpolate(x, size=(4, 9), mode="bicubic", align_corners=True)
        return torch.cat([a.flatten(1), b.flatten(1)], 1)


def bicubic_fixture():
    name = "bicubic_opset13"
    model = Bicubic().eval()
    torch.onnx.export(model, torch.randn(2, 2, 5, 6), os.path.join(OUT, name + ".onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    cases = {"b1": {"input": torch.randn(1, 2, 5, 6)}, "b2": {"input": torch.randn(2, 2, 5, 6)}}
    check_against_torch(ort_fixture(name, cases), model, cases, atol=1e-4)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    einsum_fixture()
    qlinear_fixture()
    control_flow_fixture()
    loop_scan_fixture()
    bicubic_fixture()
