package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.nebula.cert.NebulaCertificate;
import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
    private static final String SECRET = "lifecycle-it-network-secret";
    private static final String CA_PASSPHRASE = "lifecycle-it-ca-passphrase";
    private static final List<String> NAMES = List.of("node-1", "node-2", "node-3");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private NetnsLab lab;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void needsRootAndNebula() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        boolean nebula = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            nebula |= Files.isExecutable(Path.of(dir, "nebula"));
        }
        assumeTrue(nebula, "skipped: the nebula binary is not on PATH (apt-get install nebula)");
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
    }

    private Process up(int host, String name, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("env", "MESH_SECRET=" + SECRET, "MESH_CA_PASSPHRASE=" + CA_PASSPHRASE,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.meshjoin.cli.Meshctl", "up",
                "--name", name, "--store", "file:" + tmp.resolve("store"), "--state-dir", tmp.resolve(name).toString(),
                "--public-endpoint", lab.host(host).address() + ":4242", "--network", "it",
                "--lighthouse-target", "1", "--lighthouse-interval", "5s"));
        cmd.addAll(List.of(extra));
        Process p = lab.host(host).start(cmd, log(name));
        processes.add(p);
        return p;
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
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not print " + pattern + " in time; its output:\n" + output(name));
    }

    /**
     * Starts the three nodes, the founder first, and returns their overlay addresses. Every node may
     * serve (public endpoint, CA passphrase) and so runs the lighthouse watch beside its state
     * follower, both changing its overlay; with {@code --lighthouse-target 1} the founder is the one
     * lighthouse and the other two stay members (at the default target of two, one of them would
     * promote itself, and a promotion restarts its daemon as lighthouse on a fixed port).
     */
    private Map<String, Ipv4Address> threeNodes(String... extra) throws InterruptedException {
        lab = NetnsLab.create(3);
        up(1, NAMES.get(0), extra);
        await(NAMES.get(0), READY, 60_000);
        up(2, NAMES.get(1), extra);
        up(3, NAMES.get(2), extra);
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

    private Optional<Long> nebulaPid(NetnsHost host) {
        for (long pid : host.pids()) {
            Optional<String> cmd = ProcessHandle.of(pid).flatMap(h -> h.info().command());
            if (cmd.isPresent() && cmd.get().endsWith("/nebula")) {
                return Optional.of(pid);
            }
        }
        return Optional.empty();
    }

    @Test
    void twoMinuteCertificatesRenewUnderAContinuousPingWithoutRestartingNebula() throws Exception {
        Map<String, Ipv4Address> overlay = threeNodes("--cert-validity", "2m");
        Map<String, Long> pids = new TreeMap<>();
        Map<String, Set<String>> fingerprints = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            pids.put(NAMES.get(i), nebulaPid(lab.host(i + 1)).orElseThrow());
            fingerprints.put(NAMES.get(i), new LinkedHashSet<>(List.of(fingerprint(NAMES.get(i)))));
        }
        // 5 pings a second for 6 minutes, node-2 -> node-3, each waiting at most a second for its answer.
        Path pingLog = tmp.resolve("ping.log");
        Process ping = lab.host(2).start(List.of("ping", "-n", "-i", "0.2", "-c", "1800", "-W", "1",
                overlay.get("node-3").toString()), pingLog);
        processes.add(ping);
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
            assertThat(nebulaPid(lab.host(i + 1))).as(NAMES.get(i) + "'s nebula was never restarted")
                    .contains(pids.get(NAMES.get(i)));
        }
        for (String n : NAMES) {
            assertThat(processes.get(NAMES.indexOf(n)).isAlive()).as(output(n)).isTrue();
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
        int status = new Meshctl().run(new Invocation(List.of("revoke", "--store", "file:" + tmp.resolve("store"),
                "--network", "it", "node-3"), Meshctl.emptyInput(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("MESH_CA_PASSPHRASE", CA_PASSPHRASE), tmp));
        long revokedAt = System.nanoTime();
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("REVOKED node-3");

        // Cut off: three pings in a row from each of the other two go unanswered.
        int[] misses = new int[2];
        while ((misses[0] < 3 || misses[1] < 3) && System.nanoTime() - revokedAt < 60_000_000_000L) {
            for (int i = 0; i < 2; i++) {
                misses[i] = lab.host(i + 1).ping(victim) ? 0 : misses[i] + 1;
            }
        }
        double seconds = (System.nanoTime() - revokedAt) / 1e9;
        System.out.printf("revocation: node-3 unreachable from node-1 and node-2 %.1f s after meshctl revoke%n", seconds);
        assertThat(misses[0]).as("node-1 cannot reach it").isGreaterThanOrEqualTo(3);
        assertThat(misses[1]).as("node-2 cannot reach it").isGreaterThanOrEqualTo(3);
        assertThat(seconds).isLessThanOrEqualTo(30.0);
        assertThat(lab.host(1).ping(overlay.get("node-2"))).as("the others still reach each other").isTrue();

        Process victimProcess = processes.get(2);
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
