"""Golden fixtures for conv1d / conv2d / conv_transpose2d: inputs, outputs and all gradients.

For each case NAME it writes NAME.x, NAME.w, NAME.b (if bias), NAME.gout (the output gradient fed
to backward), NAME.out, NAME.gx, NAME.gw, NAME.gb, and NAME.params (int64):
[kind (0 conv2d, 1 conv1d, 2 conv_transpose2d), sh, sw, ph, pw, dh, dw, groups, oph, opw].
"""
import torch
import torch.nn.functional as F

import fixtures

torch.manual_seed(0)

# name, kind, x shape, w shape, bias, stride, padding, dilation, groups, output_padding
CASES = [
    ("basic", 0, (2, 3, 7, 6), (4, 3, 3, 3), True, (1, 1), (1, 1), (1, 1), 1, (0, 0)),
    ("stride2", 0, (2, 3, 9, 8), (5, 3, 3, 3), True, (2, 2), (1, 1), (1, 1), 1, (0, 0)),
    ("dilation2", 0, (1, 2, 9, 9), (3, 2, 3, 3), True, (1, 1), (2, 2), (2, 2), 1, (0, 0)),
    ("groups2", 0, (2, 4, 6, 5), (6, 2, 3, 3), True, (1, 1), (1, 1), (1, 1), 2, (0, 0)),
    ("depthwise", 0, (2, 4, 7, 7), (8, 1, 3, 3), True, (2, 2), (1, 1), (1, 1), 4, (0, 0)),
    ("depthwise_s1", 0, (1, 3, 6, 5), (3, 1, 3, 3), True, (1, 1), (1, 1), (1, 1), 3, (0, 0)),
    ("nobias_nonsquare", 0, (2, 3, 6, 8), (4, 3, 2, 5), False, (1, 2), (1, 2), (1, 1), 1, (0, 0)),
    ("pointwise", 0, (2, 5, 4, 4), (3, 5, 1, 1), True, (1, 1), (0, 0), (1, 1), 1, (0, 0)),
    ("stride2_nopad_5x5", 0, (1, 2, 11, 10), (3, 2, 5, 5), True, (2, 3), (0, 0), (1, 1), 1, (0, 0)),
    ("conv1d", 1, (2, 3, 10), (4, 3, 3), True, (1, 2), (0, 1), (1, 1), 1, (0, 0)),
    ("conv1d_dil_groups", 1, (2, 4, 11), (6, 2, 3), False, (1, 1), (0, 2), (1, 2), 2, (0, 0)),
    ("tconv_s2_op1", 2, (2, 4, 5, 5), (4, 3, 3, 3), True, (2, 2), (1, 1), (1, 1), 1, (1, 1)),
    ("tconv_groups_dil", 2, (1, 4, 4, 4), (4, 2, 3, 3), False, (1, 1), (1, 1), (2, 2), 2, (0, 0)),
    ("tconv_nonsquare", 2, (1, 2, 3, 4), (2, 3, 2, 3), True, (2, 3), (0, 1), (1, 1), 1, (1, 2)),
]


def run(kind, x, w, b, stride, padding, dilation, groups, output_padding):
    if kind == 0:
        return F.conv2d(x, w, b, stride, padding, dilation, groups)
    if kind == 1:
        return F.conv1d(x, w, b, stride[1], padding[1], dilation[1], groups)
    return F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)


def main():
    out = {}
    for name, kind, xs, ws, bias, stride, padding, dilation, groups, output_padding in CASES:
        x = torch.randn(xs, requires_grad=True)
        w = (torch.randn(ws) * 0.5).requires_grad_()
        cout = ws[0] if kind != 2 else ws[1] * groups
        b = torch.randn(cout, requires_grad=True) if bias else None
        y = run(kind, x, w, b, stride, padding, dilation, groups, output_padding)
        gout = torch.randn(y.shape)
        y.backward(gout)
        out[name + ".x"] = x
        out[name + ".w"] = w
        out[name + ".gout"] = gout
        out[name + ".out"] = y
        out[name + ".gx"] = x.grad
        out[name + ".gw"] = w.grad
        if bias:
            out[name + ".b"] = b
            out[name + ".gb"] = b.grad
        out[name + ".params"] = torch.tensor([kind, *stride, *padding, *dilation, groups, *output_padding],
                                             dtype=torch.int64)
    fixtures.save(out, fixtures.fixture_path("conv"))


if __name__ == "__main__":
    main()
