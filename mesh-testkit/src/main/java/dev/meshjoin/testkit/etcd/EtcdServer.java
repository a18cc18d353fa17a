package dev.meshjoin.testkit.etcd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real etcd (Debian's {@code etcd-server}) on loopback, with a temporary data directory and free
 * ports, for integration tests. Skips the calling test when the binary is missing; killed on
 * {@link #close()} and, should a test run die, by a shutdown hook.
 */
public final class EtcdServer implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final URI clientUrl;
    private final Thread hook;

    private EtcdServer(Process process, Path dir, URI clientUrl) {
        this.process = process;
        this.dir = dir;
        this.clientUrl = clientUrl;
        this.hook = new Thread(process::destroyForcibly, "etcd-killer");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The etcd binary: {@code ETCD_BINARY}, else {@code etcd} on the PATH. */
    public static Path binary() {
        String override = System.getenv("ETCD_BINARY");
        if (override != null) {
            return Path.of(override);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "etcd");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return Path.of("/usr/bin/etcd");
    }

    /** Why etcd cannot be started here, if it cannot. */
    public static java.util.Optional<String> unavailableReason() {
        Path bin = binary();
        return Files.isExecutable(bin) ? java.util.Optional.empty() : java.util.Optional.of("skipped: the etcd binary is"
                + " missing (" + bin + "); install Debian's etcd-server (apt-get install etcd-server) or set ETCD_BINARY");
    }

    /**
     * For a test class's {@code @BeforeAll}: etcd started, or null when it is not installed. The
     * class then calls {@link #assumeRunning} before each test, so each is reported skipped with
     * the reason (an assumption in {@code @BeforeAll} would make Failsafe count no test at all).
     */
    public static EtcdServer startIfInstalled() throws Exception {
        return unavailableReason().isPresent() ? null : start();
    }

    /** Skips the calling test, with the reason, when etcd is not running. */
    public static EtcdServer assumeRunning(EtcdServer server) {
        assumeTrue(server != null, () -> unavailableReason().orElse("etcd did not start"));
        return server;
    }

    /** Starts etcd and waits until it reports healthy; skips the test if etcd is not installed. */
    public static EtcdServer start() throws Exception {
        Path bin = binary();
        assumeTrue(Files.isExecutable(bin), "the etcd binary is missing (" + bin
                + "); install Debian's etcd-server (apt-get install etcd-server) or set ETCD_BINARY");
        return launch();
    }

    /** Starts etcd and waits until it reports healthy, outside a test (a benchmark). */
    public static EtcdServer launch() throws Exception {
        Path bin = binary();
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("the etcd binary is missing (" + bin + "); apt-get install etcd-server");
        }
        Path dir = Files.createTempDirectory("meshjoin-etcd-");
        int client = freePort();
        int peer = freePort();
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        ProcessBuilder pb = new ProcessBuilder(List.of(bin.toString(),
                "--name", "test",
                "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "test=" + peerUrl,
                "--log-level", "warn"));
        // To a file, never a pipe nobody reads (a full pipe would block etcd).
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile());
        EtcdServer server = new EtcdServer(pb.start(), dir, URI.create(clientUrl));
        try {
            server.awaitHealthy(Duration.ofSeconds(30));
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** {@code http://127.0.0.1:PORT}, the client URL. */
    public URI clientUrl() {
        return clientUrl;
    }

    private void awaitHealthy(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + ": " + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(clientUrl.resolve("/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50); // polling interval of a readiness check, not a fixed wait
        }
        throw new IllegalStateException("etcd did not become healthy within " + timeout + ": " + log());
    }

    /** What etcd printed so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("etcd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * The gRPC requests etcd has handled so far (its {@code grpc_server_handled_total} metric),
     * counted at the server: each request of the JSON gateway is one of them.
     */
    public long requestsHandled() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String metrics = http.send(HttpRequest.newBuilder(clientUrl.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("grpc_server_handled_total{") && !line.contains("grpc_method=\"Watch\"")) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
