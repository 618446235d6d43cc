package dev.torchlet.serve;

import dev.torchlet.Tensor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Submitting samples to a model's batcher and waiting, within the request time limit, for the rows back. */
final class Inference {
    private final ModelRepository repository;
    private final long timeoutMs;

    Inference(ModelRepository repository, long timeoutMs) {
        this.repository = repository;
        this.timeoutMs = timeoutMs;
    }

    /** The output rows (n * outputNumel floats) of input (n, C, H, W); 503 on a full queue, 504 on timeout. */
    float[] run(String model, Tensor input) {
        InferenceJob job = repository.submit(model, input);
        try {
            return job.result.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            job.result.cancel(false); // the batcher skips it if it has not run yet
            throw new HttpError(
                    504, "model '" + model + "': no result within the request time limit of " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "model '" + model + "': interrupted (server shutting down)", 1);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new HttpError(500, "model '" + model + "': inference failed: " + cause.getMessage());
        }
    }
}
