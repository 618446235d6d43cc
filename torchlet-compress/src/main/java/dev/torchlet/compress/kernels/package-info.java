/**
 * int8 kernels below the kernel boundary: plain-loop references (the test oracle) and Vector API kernels for
 * int8 x int8 -> int32 GEMM and convolution with requantization. They take arrays, offsets and sizes and know
 * nothing of {@code Tensor} or autograd.
 */
package dev.torchlet.compress.kernels;
