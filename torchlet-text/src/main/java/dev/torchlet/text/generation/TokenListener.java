package dev.torchlet.text.generation;

/** Receives generated tokens as they are chosen (streaming), one call per sequence and step. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param sequence the prompt's index in the batch
     * @param token    the new token id (a stop token is reported too, as the sequence's last)
     */
    void onToken(int sequence, int token);
}
