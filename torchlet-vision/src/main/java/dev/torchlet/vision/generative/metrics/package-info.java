/**
 * Measuring generative models: the {@link dev.torchlet.vision.generative.metrics.FrechetDistance} (FID) of
 * {@link dev.torchlet.vision.generative.metrics.FeatureStatistics} accumulated in batches, the Fashion-MNIST
 * {@link dev.torchlet.vision.generative.metrics.FidClassifier} whose features Torchlet's FID uses (not
 * Inception's: the numbers are not comparable to published FIDs), and the
 * {@link dev.torchlet.vision.generative.metrics.LinearProbe} of an encoder's codes.
 */
package dev.torchlet.vision.generative.metrics;
