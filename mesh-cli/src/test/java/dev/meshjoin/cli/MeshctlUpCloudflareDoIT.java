package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.testkit.cloudflare.WranglerDev;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three {@code meshctl up} processes in three network namespaces found and join on
 * {@code --store cloudflare-do:http://127.0.0.1:8787}: the store Worker runs under workerd
 * ({@code wrangler dev}) in the root namespace, and each namespace reaches it on its own loopback
 * through a forwarder there, a Unix socket (the file system is shared) and a forwarder in the
 * root namespace. Real nebula, real CA, real HTTP; nothing set by hand. Needs root, nebula and
 * Node.js with the Worker's npm packages.
 */
class MeshctlUpCloudflareDoIT extends MeshctlLabIT {
    private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+\\.\\d+\\.\\d+\\.\\d+)$");
    private static final int STORE_PORT = 8787;

    private WranglerDev worker;

    private static Path workerFolder() {
        return Path.of(System.getProperty("meshjoin.worker.dir", "../mesh-store-cloudflare-do/worker")).toAbsolutePath();
    }

    // After MeshctlLabIT's check of root and nebula.
    @BeforeEach
    void needsNode() {
        assumeTrue(WranglerDev.unavailableReason(workerFolder()).isEmpty(),
                () -> "skipped: " + WranglerDev.unavailableReason(workerFolder()).orElse(""));
    }

    // The nodes stop before their store does (a subclass's @AfterEach runs before MeshctlLabIT's).
    @AfterEach
    void stopNodesThenWorker() {
        closeLab();
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void threeNodesInNamespacesFoundAndJoinThroughTheDurableObjectStoreAndPingEachOther() throws Exception {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        worker = WranglerDev.start(workerFolder(), Map.of("MESH_STORE_TOKEN", token), "/v1/health");

        lab = MeshctlLab.create(3, tmp).onFailureShow(() -> "\nwrangler:\n" + worker.log());
        lab.onStoreServer(worker.port(), STORE_PORT, "cloudflare-do:http://127.0.0.1:" + STORE_PORT)
                .env("MESH_STORE_TOKEN", token);
        List<String> names = List.of("node-1", "node-2", "node-3");
        lab.up(lab.host(1), names.get(0), true);
        lab.await(names.get(0), READY, 0, 90_000);
        lab.up(lab.host(2), names.get(1), true);
        lab.up(lab.host(3), names.get(2), true);

        Map<String, Ipv4Address> overlay = new TreeMap<>();
        for (String n : names) {
            overlay.put(n, Ipv4Address.parse(lab.await(n, READY, 0, 90_000).group(1)));
        }
        assertThat(overlay.values()).doesNotHaveDuplicates();
        assertThat(lab.output("node-1")).contains("as founder");
        assertThat(lab.output("node-2")).doesNotContain("as founder");
        assertThat(lab.output("node-3")).doesNotContain("as founder");
        // Every node really went through the Worker: it served their requests, all authenticated.
        assertThat(worker.requests("/v1/it/")).isGreaterThan(10);
        assertThat(worker.log()).doesNotContain(" 401 ").doesNotContain(token);
        assertThat(lab.storeConnections()).isGreaterThanOrEqualTo(3);

        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    assertThat(MeshctlLab.pingWithin(lab.host(i + 1), overlay.get(names.get(j)), 10_000))
                            .as(names.get(i) + " -> " + names.get(j)).isTrue();
                }
            }
        }
    }
}
