package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.testkit.cloudflare.WranglerDev;
import dev.meshjoin.testkit.net.SocketForwarder;
import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code meshctl up} processes in three network namespaces found and join on
 * {@code --store cloudflare-do:http://127.0.0.1:8787}: the store Worker runs under workerd
 * ({@code wrangler dev}) in the root namespace, and each namespace reaches it on its own loopback
 * through a forwarder there, a Unix socket (the file system is shared) and a forwarder in the
 * root namespace. Real nebula, real CA, real HTTP; nothing set by hand. Needs root, nebula and
 * Node.js with the Worker's npm packages.
 */
class MeshctlUpCloudflareDoIT {
    private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+\\.\\d+\\.\\d+\\.\\d+)$");
    private static final int STORE_PORT = 8787;

    @TempDir
    Path tmp;

    private NetnsLab lab;
    private WranglerDev worker;
    private SocketForwarder rootForwarder;
    private final List<Process> processes = new ArrayList<>();

    private static Path workerFolder() {
        return Path.of(System.getProperty("meshjoin.worker.dir", "../mesh-store-cloudflare-do/worker")).toAbsolutePath();
    }

    // Checked before each test, not in @BeforeAll: an assumption there makes Failsafe count no test at
    // all, while here every test is reported skipped with the reason.
    @BeforeEach
    void needsRootNebulaAndNode() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        assumeTrue(MeshctlUpIT.onPath("nebula"), "skipped: the nebula binary is not on PATH (apt-get install nebula)");
        assumeTrue(WranglerDev.unavailableReason(workerFolder()).isEmpty(),
                () -> "skipped: " + WranglerDev.unavailableReason(workerFolder()).orElse(""));
    }

    @AfterEach
    void tearDown() {
        processes.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        if (lab != null) {
            lab.close();
        }
        if (rootForwarder != null) {
            rootForwarder.close();
        }
        if (worker != null) {
            worker.close();
        }
    }

    private Path log(String name) {
        return tmp.resolve(name + ".log");
    }

    private String output(String name) {
        try {
            return Files.exists(log(name)) ? Files.readString(log(name), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private Matcher await(String name, Pattern pattern, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output(name));
            if (m.find()) {
                return m;
            }
            Thread.sleep(50); // polling the process's output, not a fixed wait
        }
        throw new AssertionError(name + " did not print " + pattern + " in time; its output:\n" + output(name)
                + "\nwrangler:\n" + worker.log());
    }

    /** A forwarder inside the namespace: its 127.0.0.1:8787 leads to the Worker. */
    private void forwardStoreInto(NetnsHost host, Path socket, String name) throws InterruptedException {
        processes.add(host.startJvm(SocketForwarder.class.getName(),
                List.of("tcp:127.0.0.1:" + STORE_PORT, "unix:" + socket), log(name)));
        await(name, Pattern.compile("(?m)^LISTENING "), 30_000);
    }

    private void up(NetnsHost host, String name, String token) {
        List<String> cmd = new ArrayList<>(List.of("env", "MESH_SECRET=it-network-secret",
                "MESH_CA_PASSPHRASE=it-ca-passphrase", "MESH_STORE_TOKEN=" + token,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.meshjoin.cli.Meshctl", "up",
                "--name", name, "--store", "cloudflare-do:http://127.0.0.1:" + STORE_PORT,
                "--state-dir", tmp.resolve(name).toString(),
                "--public-endpoint", host.address() + ":4242", "--network", "it"));
        processes.add(host.start(cmd, log(name)));
    }

    private static boolean pingWithin(NetnsHost from, Ipv4Address to, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (from.ping(to)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void threeNodesInNamespacesFoundAndJoinThroughTheDurableObjectStoreAndPingEachOther() throws Exception {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        worker = WranglerDev.start(workerFolder(), Map.of("MESH_STORE_TOKEN", token), "/v1/health");
        Path socket = tmp.resolve("store.sock");
        rootForwarder = SocketForwarder.start(SocketForwarder.unix(socket), SocketForwarder.tcp(worker.port()));

        lab = NetnsLab.create(3);
        List<String> names = List.of("node-1", "node-2", "node-3");
        for (int i = 0; i < 3; i++) {
            forwardStoreInto(lab.host(i + 1), socket, "forward-" + (i + 1));
        }
        up(lab.host(1), names.get(0), token);
        await(names.get(0), READY, 90_000);
        up(lab.host(2), names.get(1), token);
        up(lab.host(3), names.get(2), token);

        Map<String, Ipv4Address> overlay = new TreeMap<>();
        for (String n : names) {
            overlay.put(n, Ipv4Address.parse(await(n, READY, 90_000).group(1)));
        }
        assertThat(overlay.values()).doesNotHaveDuplicates();
        assertThat(output("node-1")).contains("as founder");
        assertThat(output("node-2")).doesNotContain("as founder");
        assertThat(output("node-3")).doesNotContain("as founder");
        // Every node really went through the Worker: it served their requests, all authenticated.
        assertThat(worker.requests("/v1/it/")).isGreaterThan(10);
        assertThat(worker.log()).doesNotContain(" 401 ").doesNotContain(token);
        assertThat(rootForwarder.connections()).isGreaterThanOrEqualTo(3);

        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    assertThat(pingWithin(lab.host(i + 1), overlay.get(names.get(j)), 10_000))
                            .as(names.get(i) + " -> " + names.get(j)).isTrue();
                }
            }
        }
    }
}
