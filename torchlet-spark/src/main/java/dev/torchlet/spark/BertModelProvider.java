package dev.torchlet.spark;

import dev.torchlet.Tensor;
import dev.torchlet.text.Tokenizers;
import dev.torchlet.text.models.Bert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * BERT sentence embeddings for text columns, from a Hugging Face folder ({@code config.json},
 * {@code model.safetensors} or {@code pytorch_model.bin}, and {@code tokenizer.json} or {@code vocab.txt}).
 * Specs: {@code bert:/path/to/folder} (mean pooling over the tokens, as sentence-transformers) or
 * {@code bert:/path/to/folder:cls} (the [CLS] token's last hidden state). Output: (B, hidden size).
 */
public class BertModelProvider implements ModelProvider {
    private static final long serialVersionUID = 1L;

    /** A parsed spec. */
    record BertSpec(Path folder, boolean cls) {
        static BertSpec parse(String spec) {
            if (spec == null || !spec.startsWith("bert:") || spec.length() == 5) {
                throw new IllegalArgumentException(
                        "model spec must be bert:/path/to/hf-folder or bert:/path/to/hf-folder:cls, got '" + spec
                                + "'");
            }
            String rest = spec.substring(5);
            boolean cls = rest.endsWith(":cls");
            boolean mean = rest.endsWith(":mean");
            if (cls || mean) {
                rest = rest.substring(0, rest.lastIndexOf(':'));
            }
            return new BertSpec(Path.of(rest), cls);
        }
    }

    @Override
    public ModelArchitecture architecture(String spec) {
        BertSpec bert = BertSpec.parse(spec);
        try {
            Bert model = Bert.fromConfigOf(bert.folder()); // sizes checked against the weight file first
            var tokenizer = Tokenizers.fromHfFolder(bert.folder());
            return ModelArchitecture.forText(
                    model,
                    new ModelArchitecture.TextInput(
                            tokenizer,
                            model.config().maxPositionEmbeddings(),
                            batch -> bert.cls() ? model.clsEmbeddings(batch) : model.meanPooledEmbeddings(batch)));
        } catch (IOException e) {
            throw new UncheckedIOException("model spec '" + spec + "': " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Tensor> weights(String spec) throws IOException {
        return Bert.fromPretrained(BertSpec.parse(spec).folder()).stateDict();
    }
}
