"""ONNX import fixtures: small networks exported by torch.onnx (PyTorch 1.13) with the inputs and PyTorch's outputs.

Run: cd tools/golden && /usr/bin/python3 gen_onnx.py   (needs python3-torch and python3-onnx; writes
torchlet-onnx/src/test/resources/onnx/<name>.onnx and <name>.safetensors with input.N / output.N per batch size)

The models use the operators of CNN and MLP exports: Conv (groups, strides, padding, dilation), BatchNormalization
(kept unfused in the PRESERVE export), Relu, LeakyRelu, Sigmoid, Tanh, Clip (ReLU6), MaxPool, AveragePool,
GlobalAveragePool, Add, Mul, Flatten, Reshape, Gemm, MatMul, Concat, Transpose, Softmax. Every export has a dynamic
batch dimension; the fixtures check batch sizes 1 and 3.
"""
import os

import onnx
import torch
import torch.nn as nn

import fixtures

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-onnx", "src", "test", "resources", "onnx")
os.makedirs(OUT, exist_ok=True)


class Block(nn.Module):
    """A residual block: conv-bn-relu-conv-bn, + input, relu."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(y)))


class SmallCnn(nn.Module):
    """(N, 1, 28, 28) -> stem, residual block, depthwise + dilated convs, pools, two heads concatenated -> 10."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.block = Block(8)
        self.pool = nn.MaxPool2d(2)
        self.dw = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.dilated = nn.Conv2d(8, 16, 3, padding=2, dilation=2)
        self.avg = nn.AvgPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)
        self.side = nn.Linear(16 * 3 * 3, 6)
        self.out = nn.Linear(14, 10)

    def forward(self, x):
        x = self.pool(self.block(self.stem(x)))  # (N, 8, 14, 14)
        x = nn.functional.relu6(self.dw(x))  # (N, 8, 7, 7)
        x = nn.functional.leaky_relu(self.dilated(x), 0.1)  # (N, 16, 7, 7)
        a = self.fc(torch.flatten(self.gap(x), 1))  # (N, 10)
        b = self.side(torch.flatten(self.avg(x), 1))  # (N, 6)
        h = torch.cat([torch.sigmoid(a[:, :8]), torch.tanh(b[:, :4]) * 2.0, a[:, 8:] - b[:, 4:]], 1)  # (N, 14)
        return torch.softmax(self.out(h), dim=1)


class Mlp(nn.Module):
    """(N, 784) -> 64 -> 10, a MatMul with a transposed parameter, Reshape."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 64)
        self.w = nn.Parameter(torch.randn(10, 64) * 0.1)

    def forward(self, x):
        x = torch.relu(self.l1(x.reshape(x.shape[0], -1)))
        return torch.matmul(x, self.w.t())


def export_and_save(name, model, example, opset, shapes, dynamic_axes, **export_args):
    """torch.onnx.export with checks, then a fixture of input.<key> / output.<key> for each (key, input shape)."""
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, example, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes=dynamic_axes, **export_args)
    onnx.checker.check_model(onnx.load(path))
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    tensors = {}
    for key, shape in shapes:
        x = torch.randn(*shape)
        with torch.no_grad():
            tensors["input.%d" % key] = x
            tensors["output.%d" % key] = model(x)
    fixtures.save(tensors, os.path.join(OUT, name + ".safetensors"),
                  {"generator": "tools/golden/gen_onnx.py", "torch": torch.__version__, "opset": str(opset),
                   "ops": ",".join(ops)})
    print(name, "opset", opset, ops)


def export(name, model, example, opset, preserve=False):
    model.eval()
    for m in model.modules():  # non-trivial batch-norm statistics
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.3, 0.3)
    export_and_save(name, model, example, opset, [(b, (b, *example.shape[1:])) for b in (1, 3)],
                    {"input": {0: "batch"}, "output": {0: "batch"}},
                    training=torch.onnx.TrainingMode.PRESERVE if preserve else torch.onnx.TrainingMode.EVAL,
                    do_constant_folding=not preserve)

export("small_cnn_opset17", SmallCnn(), torch.randn(2, 1, 28, 28), 17)
export("small_cnn_bn_opset11", SmallCnn(), torch.randn(2, 1, 28, 28), 11, preserve=True)
export("mlp_opset9", Mlp(), torch.randn(2, 1, 28, 28), 9)


class Recurrent(nn.Module):
    """(T, N, 4) -> bidirectional LSTM(4 -> 5), GRU(10 -> 3), tanh RNN(6 -> 2) -> (T, N, 4) concatenated outputs."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 5, bidirectional=True)
        self.gru = nn.GRU(10, 3, bidirectional=True)
        self.rnn = nn.RNN(6, 2)

    def forward(self, x):
        y, (h, c) = self.lstm(x)
        z, hz = self.gru(y)
        r, hr = self.rnn(z)
        return torch.cat([r, hr.expand(r.shape[0], -1, -1), h[0:1].expand(r.shape[0], -1, -1)[..., :0]], 2)


def export_recurrent(name, opset):
    export_and_save(name, Recurrent().eval(), torch.randn(7, 2, 4), opset, [(2, (7, 2, 4)), (1, (3, 1, 4))],
                    {"input": {0: "time", 1: "batch"}, "output": {0: "time", 1: "batch"}})

export_recurrent("recurrent_opset14", 14)


class Upsampling(nn.Module):
    """(N, 3, 5, 7) -> nearest x2, bilinear x1.5 (align_corners False) and to 9x4 (True), each pooled to a vector."""

    def forward(self, x):
        a = nn.functional.interpolate(x, scale_factor=2, mode="nearest")
        b = nn.functional.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=False)
        c = nn.functional.interpolate(x, size=(9, 4), mode="bilinear", align_corners=True)
        return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1)], 1)


def export_upsampling(name, opset):
    export_and_save(name, Upsampling().eval(), torch.randn(2, 3, 5, 7), opset, [(b, (b, 3, 5, 7)) for b in (1, 3)],
                    {"input": {0: "batch"}, "output": {0: "batch"}})

export_upsampling("upsampling_opset13", 13)
