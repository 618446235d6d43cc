"""Golden values of the Frechet distance (FID formula) for FrechetDistance / FeatureStatistics (issue 11).

Run: /usr/bin/python3 tools/golden/gen_fid.py   (writes torchlet-vision/src/test/resources/golden/vision_fid.safetensors)

The formula is pytorch-fid's calculate_frechet_distance:
    mu = np.mean(x, axis=0); sigma = np.cov(x, rowvar=False)        (unbiased, N - 1)
    fid = |mu1 - mu2|^2 + Tr(sigma1) + Tr(sigma2) - 2 Tr(sqrtm(sigma1 @ sigma2))
pytorch-fid takes sqrtm from scipy, which is not installed here. Tr(sqrtm(A)) is the sum of the square roots of
A's eigenvalues, so this script computes it from np.linalg.eigvals of the non-symmetric product sigma1 @ sigma2
(LAPACK geev: a method independent of the Java side, which uses symmetric Jacobi decompositions of
sqrt(sigma1) sigma2 sqrt(sigma1)). Eigenvalues of the product of two PSD matrices are real and >= 0; rounding
noise (tiny imaginary parts, tiny negatives in the rank-deficient case) is dropped / clamped to 0. As a check the
script also evaluates the symmetric form with np.linalg.eigh and asserts the two agree.

Cases (features stored as float64 <case>.x1 (N1, D), <case>.x2 (N2, D); expected <case>.mu1, .sigma1, .mu2,
.sigma2, .fid (a 1-element tensor)):
  gaussian        N 300 / 200, D 16: correlated Gaussians with different means and scales
  rank_deficient  N 20 / 25, D 48: fewer samples than features, singular covariances
  identical       the same 100 x 32 set twice: FID 0 up to rounding
  relu_offset     N 200 / 250, D 24: ReLU features with a common offset of 50 (stress for the streaming sums)
"""
import os

import numpy as np
import torch

from fixtures import save

VISION_GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-vision", "src", "test", "resources",
                             "golden")
rng = np.random.default_rng(11)


def stats(x):
    return np.mean(x, axis=0), np.cov(x, rowvar=False)


def trace_sqrt_product_eigvals(s1, s2):
    ev = np.linalg.eigvals(s1 @ s2)
    return float(np.sum(np.sqrt(np.clip(ev.real, 0, None))))


def trace_sqrt_product_eigh(s1, s2):
    w, v = np.linalg.eigh(s1)
    r = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = r @ s2 @ r
    w2 = np.linalg.eigvalsh((m + m.T) / 2)
    return float(np.sum(np.sqrt(np.clip(w2, 0, None))))


def fid(mu1, s1, mu2, s2):
    diff = mu1 - mu2
    tr = trace_sqrt_product_eigvals(s1, s2)
    check = trace_sqrt_product_eigh(s1, s2)
    assert abs(tr - check) <= 1e-6 * max(1.0, abs(tr)), (tr, check)
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * tr)


out = {}


def case(name, x1, x2):
    mu1, s1 = stats(x1)
    mu2, s2 = stats(x2)
    value = fid(mu1, s1, mu2, s2)
    for k, v in {"x1": x1, "x2": x2, "mu1": mu1, "sigma1": s1, "mu2": mu2, "sigma2": s2,
                 "fid": np.array([value])}.items():
        out[f"{name}.{k}"] = torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64))
    print(f"{name}: fid {value:.10g}")


d = 16
a1 = rng.normal(size=(d, d)) / np.sqrt(d)
a2 = rng.normal(size=(d, d)) / np.sqrt(d)
case("gaussian", rng.normal(size=(300, d)) @ a1 + 0.5, 1.5 * rng.normal(size=(200, d)) @ a2 - 0.25)
case("rank_deficient", rng.normal(size=(20, 48)), 2 * rng.normal(size=(25, 48)) + 0.1)
same = rng.normal(size=(100, 32)) @ rng.normal(size=(32, 32))
case("identical", same, same.copy())
mix = rng.normal(size=(24, 24)) / 5
case("relu_offset", np.maximum(rng.normal(size=(200, 24)) @ mix, 0) + 50,
     np.maximum(rng.normal(size=(250, 24)) @ mix + 0.2, 0) + 50)

path = os.path.join(VISION_GOLDEN, "vision_fid.safetensors")
save(out, path, metadata={"formula": "pytorch-fid calculate_frechet_distance, Tr sqrtm via eigvals"})
print("wrote", os.path.relpath(path))
