package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.nebula.cert.NebulaCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh that lives, for real: three {@code meshctl up} processes in three network namespaces with
 * the real Nebula daemon. Renewal with two-minute certificates under a continuous ping; revocation
 * of one node. Needs root (namespaces) and the nebula binary.
 */
class MeshctlLifecycleIT {
    private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+\\.\\d+\\.\\d+\\.\\d+)$");
    private static final List<String> NAMES = List.of("node-1", "node-2", "node-3");

    // Not a MeshctlLabIT: its directory, with every node's log, is kept when a test fails (minutes to reproduce).
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private MeshctlLab lab;
    /** The meshctl processes of node-1, node-2 and node-3. */
    private final List<Process> nodes = new ArrayList<>();

    // Checked before each test, not in @BeforeAll: an assumption there makes Failsafe count no test at
    // all, while here every test is reported skipped with the reason.
    @BeforeEach
    void needsRootAndNebula() {
        MeshctlLab.assumeRootAndNebula();
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Every node may serve (public endpoint, CA passphrase); one lighthouse, watched every 5 s. */
    private Process up(int host, String name, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--lighthouse-target", "1", "--lighthouse-interval", "5s"));
        args.addAll(List.of(extra));
        return lab.up(lab.host(host), name, true, args.toArray(String[]::new));
    }

    private Path log(String name) {
        return lab.log(name);
    }

    private String output(String name) {
        return lab.output(name);
    }

    private Matcher await(String name, Pattern pattern, long timeoutMillis) throws InterruptedException {
        return lab.await(name, pattern, 0, timeoutMillis);
    }

    /**
     * Starts the three nodes, the founder first, and returns their overlay addresses. Every node may
     * serve (public endpoint, CA passphrase) and so runs the lighthouse watch beside its state
     * follower, both changing its overlay; with {@code --lighthouse-target 1} the founder is the one
     * lighthouse and the other two stay members (at the default target of two, one of them would
     * promote itself, and a promotion restarts its daemon as lighthouse on a fixed port).
     */
    private Map<String, Ipv4Address> threeNodes(String... extra) throws InterruptedException, IOException {
        lab = MeshctlLab.create(3, tmp);
        nodes.add(up(1, NAMES.get(0), extra));
        await(NAMES.get(0), READY, 60_000);
        nodes.add(up(2, NAMES.get(1), extra));
        nodes.add(up(3, NAMES.get(2), extra));
        Map<String, Ipv4Address> overlay = new TreeMap<>();
        for (String n : NAMES) {
            overlay.put(n, Ipv4Address.parse(await(n, READY, 90_000).group(1)));
        }
        return overlay;
    }

    private String fingerprint(String name) {
        try {
            return NebulaCertificate.fromPem(Files.readAllBytes(tmp.resolve(name).resolve("host.crt"))).fingerprint();
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    @Test
    void twoMinuteCertificatesRenewUnderAContinuousPingWithoutRestartingNebula() throws Exception {
        Map<String, Ipv4Address> overlay = threeNodes("--cert-validity", "2m");
        Map<String, Long> pids = new TreeMap<>();
        Map<String, Set<String>> fingerprints = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            pids.put(NAMES.get(i), MeshctlLab.nebulaPid(lab.host(i + 1)).orElseThrow());
            fingerprints.put(NAMES.get(i), new LinkedHashSet<>(List.of(fingerprint(NAMES.get(i)))));
        }
        // 5 pings a second for 6 minutes, node-2 -> node-3, each waiting at most a second for its answer.
        Path pingLog = lab.log("ping");
        Process ping = lab.run(lab.host(2), "ping", List.of("ping", "-n", "-i", "0.2", "-c", "1800", "-W", "1",
                overlay.get("node-3").toString()));
        while (ping.isAlive()) {
            for (String n : NAMES) {
                fingerprints.get(n).add(fingerprint(n));
            }
            ping.waitFor(2, TimeUnit.SECONDS);
        }
        String summary = Files.readString(pingLog, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(summary);
        assertThat(m.find()).as(summary).isTrue();
        int sent = Integer.parseInt(m.group(1));
        int lost = sent - Integer.parseInt(m.group(2));
        fingerprints.values().forEach(s -> s.remove("unreadable"));
        int renewals = 0;
        for (String n : NAMES) {
            assertThat(fingerprints.get(n).size() - 1).as(n + " renewed at least twice: " + fingerprints.get(n))
                    .isGreaterThanOrEqualTo(2);
            renewals += fingerprints.get(n).size() - 1;
        }
        int memberRenewals = fingerprints.get("node-2").size() + fingerprints.get("node-3").size() - 2;
        System.out.printf("renewal: %d pings node-2 -> node-3, %d lost, across %d renewals of the two members"
                + " (%d renewals of all three nodes)%n", sent, lost, memberRenewals, renewals);
        assertThat(sent).isEqualTo(1800);
        assertThat(lost).as("at most one lost ping per renewal of either end").isLessThanOrEqualTo(memberRenewals);
        for (int i = 0; i < 3; i++) {
            assertThat(MeshctlLab.nebulaPid(lab.host(i + 1))).as(NAMES.get(i) + "'s nebula was never restarted")
                    .contains(pids.get(NAMES.get(i)));
        }
        for (String n : NAMES) {
            assertThat(nodes.get(NAMES.indexOf(n)).isAlive()).as(output(n)).isTrue();
        }
    }

    @Test
    void aRevokedNodeIsCutOffWithinThirtySecondsAndRefusedWhenItRestarts() throws Exception {
        Map<String, Ipv4Address> overlay = threeNodes();
        Ipv4Address victim = overlay.get("node-3");
        assertThat(lab.host(1).ping(victim)).isTrue();
        assertThat(lab.host(2).ping(victim)).isTrue();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Meshctl().run(new Invocation(List.of("revoke", "--store", lab.store(),
                "--network", "it", "node-3"), Meshctl.emptyInput(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("MESH_CA_PASSPHRASE", MeshctlLab.CA_PASSPHRASE), tmp));
        long revokedAt = System.nanoTime();
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("REVOKED node-3");

        // Cut off: three pings in a row from each of the other two go unanswered. The node is cut off
        // from when the first of those went out: the confirming misses (a second each) are not the
        // mesh's delay, and counting them made the figure depend on how the test pings.
        int[] misses = new int[2];
        long[] missingSince = new long[2];
        while ((misses[0] < 3 || misses[1] < 3) && System.nanoTime() - revokedAt < 60_000_000_000L) {
            for (int i = 0; i < 2; i++) {
                long sentAt = System.nanoTime();
                if (lab.host(i + 1).ping(victim)) {
                    misses[i] = 0;
                } else if (misses[i]++ == 0) {
                    missingSince[i] = sentAt;
                }
            }
        }
        double seconds = (Math.max(missingSince[0], missingSince[1]) - revokedAt) / 1e9;
        double confirmed = (System.nanoTime() - revokedAt) / 1e9;
        System.out.printf("revocation: node-3 unreachable from node-1 and node-2 %.1f s after meshctl revoke"
                + " (confirmed by three missed pings each at %.1f s)%n", seconds, confirmed);
        assertThat(misses[0]).as("node-1 cannot reach it").isGreaterThanOrEqualTo(3);
        assertThat(misses[1]).as("node-2 cannot reach it").isGreaterThanOrEqualTo(3);
        assertThat(seconds).isLessThanOrEqualTo(30.0);
        assertThat(lab.host(1).ping(overlay.get("node-2"))).as("the others still reach each other").isTrue();

        Process victimProcess = nodes.get(2);
        victimProcess.destroy();
        assertThat(victimProcess.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Files.writeString(log("node-3"), "");
        Process again = up(3, "node-3");
        assertThat(again.waitFor(90, TimeUnit.SECONDS)).as(output("node-3")).isTrue();
        assertThat(again.exitValue()).isNotZero();
        assertThat(output("node-3")).contains("node-3 was revoked");
        assertThat(output("node-3")).doesNotContain("READY");
    }
}
