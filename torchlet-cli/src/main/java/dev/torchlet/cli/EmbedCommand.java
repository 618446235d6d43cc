package dev.torchlet.cli;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.text.BatchEncoding;
import dev.torchlet.text.EncodeOptions;
import dev.torchlet.text.Tokenizer;
import dev.torchlet.text.Tokenizers;
import dev.torchlet.text.models.Bert;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code torchlet embed}: BERT sentence embeddings of texts, one line of numbers per text. */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description = {
            "Prints sentence embeddings of each TEXT from a Hugging Face BERT folder (config.json,",
            "model.safetensors, tokenizer.json or vocab.txt): mean pooling over the tokens, as",
            "sentence-transformers computes it, or the [CLS] token's hidden state. One line per text.",
            "Example: torchlet embed --hf-dir all-MiniLM-L6-v2 'A cat sat.' 'A dog ran.'"
        })
public final class EmbedCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--hf-dir", required = true, description = "Hugging Face BERT model folder.")
    Path hfDir;

    @Option(names = "--pooling", defaultValue = "mean", description = "mean or cls (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--normalize", description = "Scale each embedding to unit length.")
    boolean normalize;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to embed.")
    List<String> texts;

    @Override
    public Integer call() throws Exception {
        if (!pooling.equals("mean") && !pooling.equals("cls")) {
            throw new IllegalArgumentException("--pooling must be mean or cls, got '" + pooling + "'");
        }
        if (!Files.isDirectory(hfDir)) {
            throw new NoSuchFileException(hfDir.toString(), null, "--hf-dir: no such folder");
        }
        Tokenizer tok = tokenizer(hfDir);
        Bert bert = Bert.fromPretrained(hfDir);
        BatchEncoding batch = tok.encodeBatch(
                texts, EncodeOptions.defaults().withTruncation(bert.config().maxPositionEmbeddings()));
        Tensor emb;
        try (var g = Torch.noGrad()) {
            emb = pooling.equals("mean") ? bert.meanPooledEmbeddings(batch) : bert.clsEmbeddings(batch);
        }
        float[] v = emb.contiguous().toFloatArray();
        int h = emb.size(1);
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < texts.size(); i++) {
            double norm = 0;
            for (int j = 0; j < h; j++) {
                norm += (double) v[i * h + j] * v[i * h + j];
            }
            double scale = normalize && norm > 0 ? 1 / Math.sqrt(norm) : 1;
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < h; j++) {
                sb.append(j == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.6f", v[i * h + j] * scale));
            }
            out.println(sb);
        }
        out.flush();
        return 0;
    }

    /** tokenizer.json, else vocab.txt (lower-casing as tokenizer_config.json's do_lower_case says, default on). */
    static Tokenizer tokenizer(Path dir) throws Exception {
        return Tokenizers.fromHfFolder(dir);
    }
}
