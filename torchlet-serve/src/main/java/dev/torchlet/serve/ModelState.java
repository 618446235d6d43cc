package dev.torchlet.serve;

/** Repository states, as the model-repository extension reports them. */
public enum ModelState {
    LOADING,
    READY,
    UNAVAILABLE
}
