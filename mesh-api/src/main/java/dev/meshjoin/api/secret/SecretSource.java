package dev.meshjoin.api.secret;

import dev.meshjoin.api.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a named secret from {@code NAME_FILE} (a path) or else from the environment variable
 * {@code NAME}, the same way for every secret of meshjoin ({@code MESH_SECRET},
 * {@code MESH_CA_PASSPHRASE}, {@code MESH_STORE_TOKEN}, {@code CLOUDFLARE_API_TOKEN}, ...).
 *
 * <pre>{@code
 * SecretValue secret = SecretSource.process().require("MESH_SECRET", "the network secret");
 * char[] chars = secret.chars();
 * }</pre>
 *
 * <p>Rules, each for a reason:
 * <ul>
 *   <li>A file's content is the secret's UTF-8 bytes, with one trailing newline ({@code \n} or
 *       {@code \r\n}) dropped: {@code echo secret > file} and Docker or systemd credentials work.</li>
 *   <li>Setting both {@code NAME} and {@code NAME_FILE} is refused: which one wins would be a
 *       guess, and a stale variable silently overriding a rotated file is a real outage.</li>
 *   <li>A variable of the process environment is read as the raw bytes the process was started
 *       with ({@code /proc/self/environ} on Linux), because {@link System#getenv} decodes with the
 *       locale's charset: a JVM started without {@code LANG} (service managers, many containers)
 *       turns every non-ASCII character into {@code ?} and derives a different key.</li>
 *   <li>A secret file readable by group or others is read, with a warning (logged and in
 *       {@link SecretValue#warnings()}): Docker and Kubernetes mount secrets world-readable by
 *       default inside a one-user container, so refusing would break the common case.</li>
 * </ul>
 */
public final class SecretSource {
    /** The suffix of the variable naming a secret's file. */
    public static final String FILE_SUFFIX = "_FILE";
    /** Larger files are refused: a secret is short, a large file is a wrong path. */
    public static final int MAX_FILE_BYTES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(SecretSource.class.getName());
    private static final Path PROC_ENVIRON = Path.of("/proc/self/environ");

    private final Map<String, String> env;
    private final boolean processEnvironment;
    private volatile Map<String, byte[]> rawEnvironment;

    private SecretSource(Map<String, String> env, boolean processEnvironment) {
        this.env = env;
        this.processEnvironment = processEnvironment;
    }

    /** Secrets of this process's environment, variables read as raw UTF-8 bytes where the OS allows. */
    public static SecretSource process() {
        return new SecretSource(System.getenv(), true);
    }

    /**
     * Secrets of the given environment (a CLI test's map). Passing {@link System#getenv()} itself
     * is the same as {@link #process()}, so code handed "the environment" reads raw bytes in
     * production and the map in tests.
     */
    public static SecretSource of(Map<String, String> env) {
        return env == System.getenv() ? process() : new SecretSource(Map.copyOf(env), false);
    }

    /** Whether {@code NAME} or {@code NAME_FILE} is set (even to an empty value). */
    public boolean isSet(String name) {
        return env.containsKey(name) || env.containsKey(name + FILE_SUFFIX);
    }

    /**
     * The secret {@code name}, or empty when neither {@code NAME} nor {@code NAME_FILE} is set.
     *
     * @throws ConfigurationException if both are set, or the file cannot be read
     */
    public Optional<SecretValue> read(String name) {
        String fileVariable = name + FILE_SUFFIX;
        String file = env.get(fileVariable);
        boolean inline = env.containsKey(name);
        if (file != null && inline) {
            throw new ConfigurationException("both " + name + " and " + fileVariable + " are set; unset one"
                    + " (" + fileVariable + " names a file holding the secret, " + name + " holds it directly)");
        }
        if (file != null) {
            return Optional.of(readFile(fileVariable, file));
        }
        if (inline) {
            return Optional.of(new SecretValue(variableBytes(name), name, List.of()));
        }
        return Optional.empty();
    }

    /**
     * The secret {@code name}; {@code purpose} says in the refusal what it is for.
     *
     * @throws ConfigurationException if it is not set (the message names both variables)
     */
    public SecretValue require(String name, String purpose) {
        return read(name).orElseThrow(() -> new ConfigurationException("set " + purpose + " in the environment"
                + " variable " + name + ", or put it in a file and set " + name + FILE_SUFFIX + " to its path"));
    }

    private SecretValue readFile(String variable, String file) {
        if (file.isBlank()) {
            throw new ConfigurationException(variable + " is empty; set it to the path of a file holding the secret");
        }
        Path path = Path.of(file);
        String origin = variable + " (" + file + ")";
        byte[] content;
        try {
            if (!Files.isRegularFile(path)) {
                throw new ConfigurationException(variable + " names " + file + ", which "
                        + (Files.exists(path) ? "is not a regular file" : "does not exist")
                        + "; set it to the path of a file holding the secret");
            }
            try (InputStream in = Files.newInputStream(path)) {
                content = in.readNBytes(MAX_FILE_BYTES + 1);
            }
        } catch (IOException e) {
            throw new ConfigurationException(variable + " names " + file + ", which cannot be read ("
                    + e.getClass().getSimpleName() + "); check its path and permissions", e);
        }
        if (content.length > MAX_FILE_BYTES) {
            Arrays.fill(content, (byte) 0);
            throw new ConfigurationException(variable + " names " + file + ", which is over "
                    + MAX_FILE_BYTES + " bytes; a secret file holds only the secret");
        }
        List<String> warnings = new ArrayList<>();
        permissionWarning(variable, path).ifPresent(w -> {
            LOG.log(System.Logger.Level.WARNING, w);
            warnings.add(w);
        });
        return new SecretValue(dropTrailingNewline(content), origin, warnings);
    }

    static byte[] dropTrailingNewline(byte[] content) {
        int end = content.length;
        if (end > 0 && content[end - 1] == '\n') {
            end--;
            if (end > 0 && content[end - 1] == '\r') {
                end--;
            }
        }
        if (end == content.length) {
            return content;
        }
        byte[] out = Arrays.copyOf(content, end);
        Arrays.fill(content, (byte) 0);
        return out;
    }

    private static Optional<String> permissionWarning(String variable, Path path) {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view == null) {
            return Optional.empty();
        }
        try {
            Set<PosixFilePermission> perms = view.readAttributes().permissions();
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.of(variable + ": " + path + " is readable by "
                        + (perms.contains(PosixFilePermission.OTHERS_READ) ? "every user" : "its group")
                        + "; restrict it with chmod 600 (or the secret mount's mode option)");
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private byte[] variableBytes(String name) {
        if (processEnvironment) {
            byte[] raw = rawEnvironment().get(name);
            if (raw != null) {
                return raw.clone();
            }
        }
        return env.get(name).getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, byte[]> rawEnvironment() {
        Map<String, byte[]> raw = rawEnvironment;
        if (raw == null) {
            raw = readProcEnviron();
            rawEnvironment = raw;
        }
        return raw;
    }

    /** The process's initial environment as bytes; empty where there is no /proc (macOS, Windows). */
    static Map<String, byte[]> readProcEnviron() {
        byte[] all;
        try {
            if (!Files.isReadable(PROC_ENVIRON)) {
                return Map.of();
            }
            all = Files.readAllBytes(PROC_ENVIRON);
        } catch (IOException | SecurityException e) {
            return Map.of();
        }
        Map<String, byte[]> out = parseEnviron(all);
        Arrays.fill(all, (byte) 0);
        return out;
    }

    /** Parses {@code NAME=value\0NAME=value\0...}; the first of repeated names wins, as for getenv(3). */
    static Map<String, byte[]> parseEnviron(byte[] all) {
        Map<String, byte[]> out = new HashMap<>();
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == 0) {
                int eq = -1;
                for (int j = start; j < i; j++) {
                    if (all[j] == '=') {
                        eq = j;
                        break;
                    }
                }
                if (eq > start) {
                    String key = new String(all, start, eq - start, StandardCharsets.UTF_8);
                    out.putIfAbsent(key, Arrays.copyOfRange(all, eq + 1, i));
                }
                start = i + 1;
            }
        }
        return out;
    }
}
