package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.overlay.OverlayException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nebula} executable the driver runs, found and checked once.
 *
 * <p>Running {@code nebula -version} costs a process start (several milliseconds, more on a busy
 * host), and a node checks its binary before it writes anything and again when its overlay starts.
 * So the version of each executable is remembered within the JVM for as long as the file keeps its
 * size, modification time and identity (device and inode): a binary replaced or upgraded in place
 * is checked again at its next use.
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
    /** Versions of executables already run, by absolute path, valid while the file is unchanged. */
    private static final Map<Path, Checked> CHECKED = new ConcurrentHashMap<>();

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
        NebulaVersion version = versionOf(path);
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

    /** The version of {@code path}: remembered while the file is unchanged, else {@code -version} is run. */
    static NebulaVersion versionOf(Path path) {
        Path key = path.toAbsolutePath().normalize();
        Checked before = Checked.of(key, null);
        Checked known = CHECKED.get(key);
        if (before != null && before.sameFile(known)) {
            return known.version();
        }
        NebulaVersion version = probeVersion(path);
        Checked after = Checked.of(key, version);
        // Remembered only when the file did not change while it ran: else the version may be the old file's.
        if (after != null && after.sameFile(before)) {
            CHECKED.put(key, after);
        }
        return version;
    }

    /** What identifies one content of an executable, and the version it reported (null: not yet run). */
    private record Checked(long size, FileTime modified, Object fileKey, NebulaVersion version) {
        static Checked of(Path path, NebulaVersion version) {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                return new Checked(a.size(), a.lastModifiedTime(), a.fileKey(), version);
            } catch (IOException e) {
                return null; // not remembered: the probe that follows reports why it cannot run
            }
        }

        boolean sameFile(Checked other) {
            return other != null && size == other.size && modified.equals(other.modified)
                    && Objects.equals(fileKey, other.fileKey);
        }
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
