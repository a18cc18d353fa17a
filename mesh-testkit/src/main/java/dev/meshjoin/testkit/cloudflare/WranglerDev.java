package dev.meshjoin.testkit.cloudflare;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Cloudflare Worker served for real by {@code workerd} through {@code npx wrangler dev} on a free
 * loopback port, for integration tests and benchmarks. The Worker's folder is copied to a
 * temporary directory (its {@code node_modules} linked, not copied), the token goes into a
 * {@code .dev.vars} file of that copy (mode 0600), wrangler's configuration, logs and Durable
 * Object state go to the temporary directory too, and metrics, the banner's update check and the
 * {@code cf} fetch are switched off, so nothing leaves the machine. {@link #close()} kills the whole
 * process tree.
 *
 * <pre>{@code
 * assumeTrue(WranglerDev.unavailableReason(dir).isEmpty(), ...);
 * try (WranglerDev worker = WranglerDev.start(dir, Map.of("MESH_STORE_TOKEN", token))) {
 *     URI url = worker.url();
 * }
 * }</pre>
 */
public final class WranglerDev implements AutoCloseable {
    private static final Pattern REQUEST_LINE = Pattern.compile("(?m)\\[wrangler:info\\] (GET|POST|PUT|DELETE) (\\S+) (\\d{3})");
    private final Process process;
    private final Path tmp;
    private final int port;
    private final Thread hook;

    private WranglerDev(Process process, Path tmp, int port) {
        this.process = process;
        this.tmp = tmp;
        this.port = port;
        this.hook = new Thread(this::kill, "wrangler-killer");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Why a Worker in {@code workerDir} cannot be served here, or empty when it can: node (20.3 or
     * later) and npx must be on the PATH and {@code npm ci} must have run in the folder.
     */
    public static Optional<String> unavailableReason(Path workerDir) {
        if (onPath("node").isEmpty() || onPath("npx").isEmpty()) {
            return Optional.of("node and npx are not on the PATH; install Node.js 20 or later (.ci/run does)");
        }
        Optional<String> old = nodeTooOld();
        if (old.isPresent()) {
            return old;
        }
        if (!Files.isDirectory(workerDir.resolve("node_modules/wrangler"))) {
            return Optional.of("wrangler is not installed in " + workerDir + "; run npm ci there (.ci/run does)");
        }
        return Optional.empty();
    }

    /**
     * Serves the Worker in {@code workerDir} with the given secrets and waits until {@code readyPath}
     * answers HTTP 200.
     */
    public static WranglerDev start(Path workerDir, java.util.Map<String, String> secrets, String readyPath) {
        Optional<String> missing = unavailableReason(workerDir);
        if (missing.isPresent()) {
            throw new IllegalStateException(missing.get());
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory("meshjoin-wrangler-");
            Path copy = tmp.resolve("worker");
            copyTree(workerDir, copy);
            Files.createSymbolicLink(copy.resolve("node_modules"), workerDir.resolve("node_modules").toAbsolutePath());
            StringBuilder vars = new StringBuilder();
            secrets.forEach((k, v) -> vars.append(k).append('=').append(v).append('\n'));
            Path devVars = copy.resolve(".dev.vars");
            Files.createFile(devVars, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(devVars, vars);
            Files.createDirectories(tmp.resolve("config"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a copy of " + workerDir + ": " + e.getMessage(), e);
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(onPath("npx").orElseThrow().toString(), "wrangler", "dev",
                "--port", Integer.toString(port), "--ip", "127.0.0.1",
                "--inspector-port", Integer.toString(freePort()),
                "--persist-to", tmp.resolve("state").toString(), "--log-level", "info"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.resolve("worker").toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("wrangler.log").toFile());
        pb.environment().put("WRANGLER_SEND_METRICS", "false");
        pb.environment().put("WRANGLER_HIDE_BANNER", "true");
        pb.environment().put("CLOUDFLARE_CF_FETCH_ENABLED", "false");
        pb.environment().put("CI", "true");
        pb.environment().put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
        pb.environment().put("WRANGLER_LOG_PATH", tmp.resolve("logs").toString());
        pb.environment().put("NO_COLOR", "1");
        WranglerDev dev;
        try {
            dev = new WranglerDev(pb.start(), tmp, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start wrangler dev: " + e.getMessage(), e);
        }
        try {
            dev.awaitReady(readyPath, Duration.ofSeconds(90));
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
        return dev;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** What wrangler printed so far. */
    public String log() {
        try {
            return Files.readString(tmp.resolve("wrangler.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * The requests the Worker served so far whose path contains {@code pathPart}, counted at the
     * server from wrangler's request log.
     */
    public int requests(String pathPart) {
        Matcher m = REQUEST_LINE.matcher(log());
        int n = 0;
        while (m.find()) {
            if (m.group(2).contains(pathPart)) {
                n++;
            }
        }
        return n;
    }

    private void awaitReady(String readyPath, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("wrangler dev exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url().resolve(readyPath))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for wrangler dev", e);
            }
            try {
                Thread.sleep(100); // polling interval of a readiness check, not a fixed wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for wrangler dev", e);
            }
        }
        throw new IllegalStateException("wrangler dev did not answer " + readyPath + " within " + timeout + ":\n" + log());
    }

    private void kill() {
        List<ProcessHandle> tree = new ArrayList<>();
        process.descendants().forEach(tree::add);
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> walk = Files.walk(tmp)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the system cleans it
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path rel = from.relativize(p);
                String first = rel.getNameCount() == 0 ? "" : rel.getName(0).toString();
                if (first.equals("node_modules") || first.equals(".wrangler") || first.equals(".dev.vars")) {
                    continue;
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }

    /** wrangler 4.86 runs on Node.js 20.3 and later. */
    private static Optional<String> nodeTooOld() {
        try {
            Process p = new ProcessBuilder(onPath("node").orElseThrow().toString(), "-p", "process.versions.node")
                    .redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            p.waitFor(30, TimeUnit.SECONDS);
            String[] parts = version.split("\\.");
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 20 || major == 20 && minor >= 3 ? Optional.empty()
                    : Optional.of("Node.js " + version + " is too old for wrangler; install Node.js 20.3 or later");
        } catch (IOException | NumberFormatException e) {
            return Optional.of("cannot tell the Node.js version: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking node for its version");
        }
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
