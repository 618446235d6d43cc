package dev.torchlet.spark.ml;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.spark.ExecutorModels;
import dev.torchlet.spark.ExecutorThreads;
import dev.torchlet.spark.ModelArchitecture;
import dev.torchlet.spark.ModelProvider;
import dev.torchlet.spark.TensorPayload;
import dev.torchlet.text.EncodeOptions;
import dev.torchlet.vision.features.FeatureExtractor;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link TorchletModel} runs on every partition: rows in batches of {@code batchSize}, each batch decoded,
 * stacked to (B, ...), run through the model without autograd and flattened to (B, D) features. Output rows are
 * the input row plus the features (and the error column with handleInvalid=keep). The iterator is lazy: a
 * partition is never held in memory whole.
 */
final class PartitionInference implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PartitionInference.class);

    private final String providerClass;
    private final String spec;
    private final RowDecoder decoder;
    private final String layer;
    private final int batchSize;
    private final boolean arrayOutput;
    private final String handleInvalid;
    private final int numThreads;
    private final Broadcast<TensorPayload> weights; // null: the file transport

    PartitionInference(
            String providerClass,
            String spec,
            RowDecoder decoder,
            String layer,
            int batchSize,
            boolean arrayOutput,
            String handleInvalid,
            int numThreads,
            Broadcast<TensorPayload> weights) {
        this.providerClass = providerClass;
        this.spec = spec;
        this.decoder = decoder;
        this.layer = layer;
        this.batchSize = batchSize;
        this.arrayOutput = arrayOutput;
        this.handleInvalid = handleInvalid;
        this.numThreads = numThreads;
        this.weights = weights;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        ExecutorThreads.forCurrentTask(numThreads);
        ExecutorModels.Lease lease = borrowModel();
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) context -> lease.close());
        }
        return new BatchIterator(rows, lease.model(), task == null ? -1 : task.partitionId());
    }

    private ExecutorModels.Lease borrowModel() {
        ModelProvider provider = ModelProvider.byName(providerClass);
        String key = providerClass + "|" + spec + "|" + (weights == null ? "file" : "broadcast-" + weights.id());
        return ExecutorModels.borrow(key, () -> provider.architecture(spec), () -> {
            if (weights != null) {
                return weights.value().toTensors();
            }
            try {
                return provider.weights(spec);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(
                        "TorchletModel: executor on " + hostName() + " cannot read the weights of model '" + spec
                                + "': " + e.getMessage(),
                        e);
            }
        });
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unknown host";
        }
    }

    /** Rows out, one decoded batch at a time. */
    private final class BatchIterator implements Iterator<Row> {
        private final Iterator<Row> in;
        private final ModelArchitecture model;
        private final FeatureExtractor extractor;
        private final int partition;
        private final List<Row> ready = new ArrayList<>();
        private int next;
        private long rowIndex;

        BatchIterator(Iterator<Row> in, ModelArchitecture model, int partition) {
            this.in = in;
            this.model = model;
            this.extractor = layer.isEmpty() || model.isText() ? null : FeatureExtractor.of(model.module(), layer);
            this.partition = partition;
        }

        @Override
        public boolean hasNext() {
            while (next == ready.size()) {
                if (!in.hasNext()) {
                    return false;
                }
                ready.clear();
                next = 0;
                fillBatch();
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.get(next++);
        }

        private void fillBatch() {
            List<Row> batchRows = new ArrayList<>(batchSize);
            List<Tensor> inputs = new ArrayList<>(batchSize);
            List<String> texts = new ArrayList<>(batchSize);
            List<Row> invalid = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            while (batchRows.size() < batchSize && in.hasNext()) {
                Row row = in.next();
                long index = rowIndex++;
                try {
                    if (model.isText()) {
                        texts.add(decoder.text(row));
                    } else {
                        inputs.add(decoder.decode(row, model));
                    }
                    batchRows.add(row);
                } catch (IOException | RuntimeException e) {
                    String reason = "row " + index + " of partition " + partition + " (input: " + decoder.describe(row)
                            + "): " + e.getMessage();
                    switch (handleInvalid) {
                        case "skip" -> LOG.warn("TorchletModel skips {}", reason);
                        case "keep" -> {
                            invalid.add(row);
                            reasons.add(reason);
                        }
                        default ->
                            throw new IllegalArgumentException(
                                    "TorchletModel: cannot decode " + reason + " (setHandleInvalid(\"skip\") drops such"
                                            + " rows, \"keep\" keeps them with an error)",
                                    e);
                    }
                }
            }
            if (!batchRows.isEmpty()) {
                float[][] features = model.isText() ? runText(texts) : run(inputs);
                for (int i = 0; i < batchRows.size(); i++) {
                    ready.add(withOutput(batchRows.get(i), output(features[i]), null));
                }
            }
            for (int i = 0; i < invalid.size(); i++) {
                ready.add(withOutput(invalid.get(i), null, reasons.get(i)));
            }
        }

        /** B texts -> tokenized, truncated to the model's length, padded to the longest -> (B, D). */
        private float[][] runText(List<String> texts) {
            var text = model.text();
            Tensor out;
            try (var g = Torch.noGrad()) {
                var batch = text.tokenizer()
                        .encodeBatch(texts, EncodeOptions.defaults().withTruncation(text.maxLength()));
                try {
                    out = text.run().apply(batch);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(
                            "TorchletModel: model '" + spec + "' failed on " + texts.size() + " texts of up to "
                                    + batch.length() + " tokens: " + e.getMessage(),
                            e);
                }
            }
            return rowsOf(out);
        }

        /** (B, ...) -> model or layer output, flattened to one float[] per row. */
        private float[][] run(List<Tensor> inputs) {
            Tensor out;
            try (var g = Torch.noGrad()) {
                Tensor x = Torch.stack(inputs, 0);
                try {
                    out = extractor == null
                            ? model.module().call(x)
                            : extractor.extract(x).get(layer);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(
                            "TorchletModel: model '" + spec + "' failed on a batch of shape "
                                    + Arrays.toString(x.shape()) + ": " + e.getMessage(),
                            e);
                }
            }
            return rowsOf(out);
        }

        private static float[][] rowsOf(Tensor out) {
            int b = out.size(0);
            int d = (int) (out.numel() / b);
            float[] flat = out.contiguous().toFloatArray();
            float[][] rows = new float[b][];
            for (int i = 0; i < b; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
            }
            return rows;
        }

        private Object output(float[] f) {
            if (arrayOutput) {
                return f;
            }
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return Vectors.dense(d);
        }

        private Row withOutput(Row row, Object output, String error) {
            boolean keep = "keep".equals(handleInvalid);
            Object[] values = new Object[row.length() + (keep ? 2 : 1)];
            for (int i = 0; i < row.length(); i++) {
                values[i] = row.get(i);
            }
            values[row.length()] = output;
            if (keep) {
                values[row.length() + 1] = error;
            }
            return RowFactory.create(values);
        }
    }
}
