package dev.torchlet.serve;

import java.util.concurrent.locks.ReadWriteLock;

/**
 * A warmed model with its batcher, as one version of a repository entry. Inference holds the read lock of
 * {@code lock}; Grad-CAM (which installs hooks on the module) holds the write lock.
 */
record LoadedModel(ServedModel model, String version, Batcher batcher, ReadWriteLock lock) {}
