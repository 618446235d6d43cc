package dev.torchlet.cli.gpt;

import dev.torchlet.text.Tokenizer;
import dev.torchlet.text.generation.GenerationConfig;
import dev.torchlet.text.generation.TextGenerator;
import dev.torchlet.text.models.GPT2;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code torchlet gpt sample}: continues a prompt with a trained checkpoint or a Hugging Face GPT-2 folder. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Continues a prompt, streaming tokens to stdout as they are generated (KV cache, sampling with",
            "temperature, top-k and top-p; --temperature 0 is greedy).",
            "Example: torchlet gpt sample --checkpoint runs/gpt --prompt 'And God said' --max-tokens 300"
        })
public final class GptSampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    static final class Source {
        @Option(names = "--checkpoint", required = true, description = "Folder written by torchlet gpt train.")
        Path checkpoint;

        @Option(
                names = "--hf-dir",
                required = true,
                description = "Hugging Face GPT-2 folder: config.json, model.safetensors, vocab.json + merges.txt "
                        + "or tokenizer.json.")
        Path hfDir;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = "--prompt", defaultValue = "\n", description = "Text to continue (default: a new line).")
    String prompt;

    @Option(
            names = "--max-tokens",
            defaultValue = "200",
            description = "New tokens at most (default: ${DEFAULT-VALUE}; fewer if the context ends first).")
    int maxTokens;

    @Option(
            names = "--temperature",
            defaultValue = "0.8",
            description = "Sampling temperature; 0 for greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            description = "Keep the k likeliest tokens, 0 for all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1.0",
            description = "Nucleus sampling mass in (0, 1] (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(
            names = "--repetition-penalty",
            defaultValue = "1.0",
            description = "HF's repetition penalty, 1 for none (default: ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(names = "--seed", description = "Sampling seed (default: random).")
    Long seed;

    @Override
    public Integer call() throws Exception {
        GptTrainCommand.positive("--max-tokens", maxTokens);
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("--temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("--repetition-penalty must be positive, got " + repetitionPenalty);
        }
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("--prompt is empty (give at least one character)");
        }
        boolean hub = source.hfDir != null;
        Path dir = hub ? source.hfDir : source.checkpoint;
        GptFolder.requireModelFolder(dir, hub ? "--hf-dir" : "--checkpoint");
        Tokenizer tok = GptFolder.tokenizer(dir);
        GPT2 model = GPT2.fromPretrained(dir);
        if (tok.vocabSize() > model.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " tokens but the model's "
                    + "vocab_size is " + model.vocabSize() + " (tokenizer and weights do not belong together)");
        }
        int[] ids = tok.encode(prompt, false);
        int context = model.maxPositions();
        if (ids.length >= context) {
            throw new IllegalArgumentException("the prompt is " + ids.length + " tokens, the model's context is "
                    + context + " (n_positions): shorten the prompt");
        }
        int n = Math.min(maxTokens, context - ids.length);
        PrintWriter out = spec.commandLine().getOut();
        if (n < maxTokens) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "note: generating %d tokens, not %d: the prompt's %d tokens plus the new ones fill the "
                                    + "model's context of %d%n",
                            n, maxTokens, ids.length, context);
        }
        GenerationConfig config =
                temperature == 0 ? GenerationConfig.greedy(n) : GenerationConfig.sampling(n, temperature, topK, topP);
        config = config.withRepetitionPenalty(repetitionPenalty);
        if (seed != null) {
            config = config.withSeed(seed);
        }
        int eos = tok.tokenToId("<|endoftext|>");
        if (eos >= 0) {
            config = config.withStopTokens(eos);
        }
        out.print(prompt);
        out.flush();
        StreamingDecoder stream = new StreamingDecoder(tok, out, eos);
        new TextGenerator(model).generate(ids, config, (seq, token) -> stream.accept(token));
        stream.finish();
        out.println();
        out.flush();
        return 0;
    }

    /**
     * Prints tokens as they come. A byte-level BPE token can end inside a multi-byte character; such
     * tokens wait until the character is complete (their decoding ends in U+FFFD until then).
     */
    static final class StreamingDecoder {
        private final Tokenizer tok;
        private final PrintWriter out;
        private final int eos;
        private final List<Integer> pending = new ArrayList<>();

        StreamingDecoder(Tokenizer tok, PrintWriter out, int eos) {
            this.tok = tok;
            this.out = out;
            this.eos = eos;
        }

        void accept(int token) {
            if (token == eos) {
                return;
            }
            pending.add(token);
            String s = decodePending();
            if (!s.endsWith("\uFFFD") || pending.size() >= 4) {
                out.print(s);
                out.flush();
                pending.clear();
            }
        }

        void finish() {
            if (!pending.isEmpty()) {
                out.print(decodePending());
                pending.clear();
            }
        }

        private String decodePending() {
            return tok.decode(pending.stream().mapToInt(Integer::intValue).toArray(), true);
        }
    }
}
