package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.overlay.OverlayException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nebula} executable the driver runs, found and checked once.
 *
 * <p>Discovery order: an explicit path (from the driver's builder), then the environment variable
 * {@value #ENV}, then each directory of {@code PATH}. The first candidate that is given is the one
 * used: an explicit path or {@value #ENV} that does not point to an executable is an error, not a
 * reason to fall back to {@code PATH}, because an operator who named a binary expects that binary.
 *
 * <pre>{@code
 * NebulaBinary nebula = NebulaBinary.locate(null, System.getenv());
 * nebula.version(); // 1.6.1
 * }</pre>
 *
 * @param path the executable
 * @param version what {@code nebula -version} reported
 */
public record NebulaBinary(Path path, NebulaVersion version) {

    /** The environment variable naming the binary when no explicit path is given. */
    public static final String ENV = "NEBULA_BIN";

    private static final long VERSION_TIMEOUT_SECONDS = 10;

    /**
     * Finds the binary and checks that its version is supported.
     *
     * @param explicit a path given by the caller, or null
     * @param environment where {@value #ENV} and {@code PATH} are read
     * @throws OverlayException when no binary is found, it does not run, or its version is below
     *         {@link NebulaVersion#MINIMUM}
     */
    public static NebulaBinary locate(Path explicit, Map<String, String> environment) {
        Path path = find(explicit, environment);
        NebulaVersion version = probeVersion(path);
        if (!version.isAtLeast(NebulaVersion.MINIMUM)) {
            throw new OverlayException(path + " is Nebula " + version + ", but this driver needs Nebula "
                    + NebulaVersion.MINIMUM + " or newer (relays and JSON logs); install a newer nebula or point "
                    + ENV + " at one");
        }
        return new NebulaBinary(path, version);
    }

    /** The discovery step alone: the executable that would be used, without running it. */
    public static Path find(Path explicit, Map<String, String> environment) {
        if (explicit != null) {
            return requireExecutable(explicit, "the configured nebula binary");
        }
        String fromEnv = environment.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return requireExecutable(Path.of(fromEnv), ENV);
        }
        String pathVar = environment.getOrDefault("PATH", "");
        List<String> searched = new ArrayList<>();
        for (String dir : pathVar.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            searched.add(dir);
            Path candidate = Path.of(dir, "nebula");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new OverlayException("no nebula binary found: none was configured, " + ENV + " is not set, and no "
                + "executable 'nebula' is in PATH (" + String.join(File.pathSeparator, searched)
                + "). Install Nebula 1.6 or newer (Debian: apt-get install nebula) or set " + ENV);
    }

    private static Path requireExecutable(Path p, String what) {
        if (!Files.exists(p)) {
            throw new OverlayException(what + " " + p + " does not exist; install Nebula 1.6 or newer or fix the path");
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new OverlayException(what + " " + p + " is not an executable file; fix the path or its permissions");
        }
        return p.toAbsolutePath();
    }

    static NebulaVersion probeVersion(Path path) {
        Path out = null;
        Process process = null;
        try {
            // Output goes to a file, so a binary that hangs or prints without end cannot block us.
            out = Files.createTempFile("nebula-version", ".txt");
            process = new ProcessBuilder(path.toString(), "-version").redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new OverlayException(path + " -version did not finish within " + VERSION_TIMEOUT_SECONDS
                        + " s; is this the Nebula overlay daemon?");
            }
            byte[] text;
            try (InputStream in = Files.newInputStream(out)) {
                text = in.readNBytes(4096);
            }
            return NebulaVersion.parseOutput(new String(text, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new OverlayException("cannot run " + path + " -version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverlayException("interrupted while checking the version of " + path, e);
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file of a few bytes is harmless
                }
            }
        }
    }
}
