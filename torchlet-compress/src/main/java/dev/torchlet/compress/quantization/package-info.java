/**
 * int8 quantization with PyTorch's semantics ({@code torch.ao.quantization}): affine quantize/dequantize
 * arithmetic per tensor and per channel, observers, fake-quantize modules for quantization-aware training,
 * dynamic quantization of Linear/LSTM/GRU, static post-training quantization of Conv2d/Linear with
 * batch-norm folding, and quantized modules that save and load through safetensors.
 */
package dev.torchlet.compress.quantization;
