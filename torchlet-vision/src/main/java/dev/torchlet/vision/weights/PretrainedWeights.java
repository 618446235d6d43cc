package dev.torchlet.vision.weights;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.AtomicFiles;
import dev.torchlet.io.PyTorchCheckpoint;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.DenseNet;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds, verifies and loads pretrained weight files, offline first. Lookup order:
 * <ol>
 *   <li>an explicit path;</li>
 *   <li>{@code $TORCH_HOME/hub/checkpoints} (default {@code ~/.cache/torch/hub/checkpoints}), where a
 *       PyTorch user already has torchvision's downloads;</li>
 *   <li>Torchlet's cache, {@code $TORCHLET_HOME/weights} (default {@code ~/.cache/torchlet/weights});</li>
 *   <li>a download from the official address, only when asked for, into Torchlet's cache: streamed to a
 *       temporary file, hash-checked, then renamed, so a failed or corrupt download leaves nothing.</li>
 * </ol>
 * A file whose name carries a hash prefix (torchvision's {@code resnet18-f37072fd.pth}) is checked against
 * it before use, as torch.hub checks downloads; a mismatch is refused. {@code .pth} (zip or legacy
 * {@code torch.save}) and {@code .safetensors} files load directly into a zoo model's state dict.
 */
public final class PretrainedWeights {
    private PretrainedWeights() {}

    /** The directories searched for weight files, in order. */
    public static List<Path> searchDirectories() {
        String home = System.getProperty("user.home");
        String torchHome = System.getenv("TORCH_HOME");
        Path torch = torchHome != null ? Path.of(torchHome) : Path.of(home, ".cache", "torch");
        return List.of(torch.resolve("hub").resolve("checkpoints"), torchletCache());
    }

    /** Torchlet's own cache of downloaded weights. */
    public static Path torchletCache() {
        String torchletHome = System.getenv("TORCHLET_HOME");
        return torchletHome != null
                ? Path.of(torchletHome, "weights")
                : Path.of(System.getProperty("user.home"), ".cache", "torchlet", "weights");
    }

    /** The first existing file named spec.fileName() in the given directories. */
    public static Optional<Path> locate(WeightSpec spec, List<Path> directories) {
        return directories.stream()
                .map(d -> d.resolve(spec.fileName()))
                .filter(Files::isRegularFile)
                .findFirst();
    }

    /**
     * The weight file to use: {@code explicit} if given (it must exist), else the first cached copy, else a
     * download into Torchlet's cache when {@code download} is true.
     *
     * @throws FileNotFoundException naming every place looked in, and how to download
     */
    public static Path resolve(WeightSpec spec, Path explicit, boolean download) throws IOException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new FileNotFoundException("weights: no such file " + explicit);
            }
            return explicit;
        }
        List<Path> dirs = searchDirectories();
        Optional<Path> found = locate(spec, dirs);
        if (found.isPresent()) {
            return found.get();
        }
        if (!download) {
            List<String> looked = new ArrayList<>();
            dirs.forEach(d -> looked.add(d.resolve(spec.fileName()).toString()));
            throw new FileNotFoundException("weights: " + spec.model() + " " + spec.tag() + " (" + spec.fileName()
                    + ") not found in " + looked + "; pass --download to fetch " + spec.url()
                    + ", or give the file's path");
        }
        return download(spec, torchletCache());
    }

    /**
     * Downloads spec.url() into dir/spec.fileName(): streamed to a temporary file in dir while hashing,
     * checked against the SHA-256 prefix, then atomically renamed. A mismatch deletes the temporary file.
     */
    public static Path download(WeightSpec spec, Path dir) throws IOException {
        Path target = dir.resolve(spec.fileName());
        AtomicFiles.writeFile(target, tmp -> fetch(spec, tmp));
        return target;
    }

    /** Streams spec.url() into tmp while hashing it; refuses a response other than 200 and a wrong hash. */
    private static void fetch(WeightSpec spec, Path tmp) throws IOException {
        try {
            HttpClient client = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();
            HttpRequest request =
                    HttpRequest.newBuilder(URI.create(spec.url())).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("weights: download of " + spec.url() + " failed: HTTP " + response.statusCode());
            }
            MessageDigest sha = sha256();
            try (InputStream in = new DigestInputStream(response.body(), sha);
                    OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            checkHash(spec, HexFormat.of().formatHex(sha.digest()), spec.url());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("weights: download of " + spec.url() + " interrupted", e);
        }
    }

    /** Refuses a file whose SHA-256 does not start with spec's prefix (no prefix: nothing to check). */
    public static void verify(WeightSpec spec, Path file) throws IOException {
        if (spec.sha256Prefix().isEmpty()) {
            return;
        }
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        checkHash(spec, HexFormat.of().formatHex(sha.digest()), file.toString());
    }

    private static void checkHash(WeightSpec spec, String sha256, String source) throws IOException {
        if (!sha256.startsWith(spec.sha256Prefix())) {
            throw new IOException("weights: " + source + " has SHA-256 " + sha256 + ", expected one starting with "
                    + spec.sha256Prefix() + " (" + spec.model() + " " + spec.tag() + "): refusing a corrupt or"
                    + " different file");
        }
    }

    /** A state dict from a .safetensors file or a torch.save'd .pth/.pt file (zip or legacy format). */
    public static Map<String, Tensor> readStateDict(Path file) throws IOException {
        String name = file.getFileName().toString();
        return name.endsWith(".safetensors") ? SafeTensors.read(file) : PyTorchCheckpoint.read(file);
    }

    /**
     * Verifies the file against spec (when spec is not null) and loads it into the model, strictly: on any
     * missing, unexpected or mis-shaped key the model is left untouched and the error lists them. Older
     * torchvision files load as in PyTorch (see {@link #asSavedByCurrentTorch}).
     */
    public static <M extends Module> M load(M model, Path file, WeightSpec spec) throws IOException {
        if (spec != null) {
            verify(spec, file);
        }
        model.loadStateDict(asSavedByCurrentTorch(model, readStateDict(file)));
        return model;
    }

    /**
     * The weight file for spec ({@link #resolve}: explicit path, caches, or an opt-in download) loaded
     * into the model ({@link #load}); the hash is checked when the file is the registry's own (by name).
     * Returns the file used.
     */
    public static Path resolveAndLoad(Module model, WeightSpec spec, Path explicit, boolean download)
            throws IOException {
        Path file = resolve(spec, explicit, download);
        load(model, file, file.getFileName().toString().equals(spec.fileName()) ? spec : null);
        return file;
    }

    /**
     * What torchvision and PyTorch do when loading older files: DenseNet's old-style keys
     * ("denselayer1.norm.1.weight") are renamed, and batch-norm counters missing from files saved
     * before PyTorch 0.4.1 ({@code num_batches_tracked}) start at 0. Everything else must match exactly.
     */
    static Map<String, Tensor> asSavedByCurrentTorch(Module model, Map<String, Tensor> state) {
        Map<String, Tensor> out =
                model instanceof DenseNet ? DenseNet.renameLegacyKeys(state) : new LinkedHashMap<>(state);
        for (String key : model.stateDict().keySet()) {
            if (key.endsWith(".num_batches_tracked")) {
                out.putIfAbsent(key, Torch.zeros(DType.INT64));
            }
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
