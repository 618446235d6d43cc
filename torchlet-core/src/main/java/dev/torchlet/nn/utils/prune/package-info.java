/**
 * Pruning, as PyTorch's {@code torch.nn.utils.prune}: {@link dev.torchlet.nn.utils.prune.Prune} masks
 * parameters ({@code weight_orig} times the buffer {@code weight_mask}, state-dict compatible with
 * PyTorch), {@link dev.torchlet.nn.utils.prune.ChannelPruning} removes whole convolution channels and
 * returns a smaller dense model.
 */
package dev.torchlet.nn.utils.prune;
