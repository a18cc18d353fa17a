package dev.meshjoin.testkit.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetnsLabIT {
    @TempDir
    Path tmp;

    // Checked before each test, not in @BeforeAll: an assumption there makes Failsafe count no test at
    // all, while here every test is reported skipped with the reason.
    @BeforeEach
    void needsNamespaces() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
    }

    static List<String> existingNamespaces() {
        return List.of(Commands.run(List.of("ip", "netns", "list"), 10).orThrow().output().split("\n"));
    }

    @Test
    void threeHostsReachEachOtherAndEverythingIsRemoved() {
        List<String> names;
        try (NetnsLab lab = NetnsLab.create(3)) {
            names = lab.namespaces();
            assertThat(names).hasSize(4);
            for (NetnsHost a : lab.hosts()) {
                assertThat(a.hasLink("lo")).isTrue();
                assertThat(a.exec("ip", "-o", "addr", "show", "dev", "eth0").orThrow().output()).contains(a.address() + "/24");
                for (NetnsHost b : lab.hosts()) {
                    if (a != b) {
                        assertThat(a.ping(b.address())).as(a + " -> " + b).isTrue();
                    }
                }
            }
            assertThat(lab.host(1).address().toString()).isEqualTo("192.0.2.1");
            assertThat(lab.host(1).ping(lab.host(1).address())).as("lo is up").isTrue();
        }
        List<String> after = String.join("\n", existingNamespaces()).lines().map(l -> l.split(" ")[0]).toList();
        assertThat(after).doesNotContainAnyElementsOf(names);
    }

    @Test
    void cleanupHappensWhenTheTestBodyFailsAndKillsProcesses() throws Exception {
        NetnsLab[] holder = new NetnsLab[1];
        Process[] sleeper = new Process[1];
        assertThatThrownBy(() -> {
            try (NetnsLab lab = NetnsLab.create(1)) {
                holder[0] = lab;
                sleeper[0] = lab.host(1).start(List.of("sleep", "600"), tmp.resolve("sleep.log"));
                throw new IllegalStateException("test body failed");
            }
        }).hasMessage("test body failed");
        assertThat(sleeper[0].isAlive()).isFalse();
        assertThat(ProcessHandle.of(sleeper[0].pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        List<String> after = String.join("\n", existingNamespaces()).lines().map(l -> l.split(" ")[0]).toList();
        assertThat(after).doesNotContainAnyElementsOf(holder[0].namespaces());
        holder[0].close(); // idempotent
    }

    @Test
    void parallelLabsDoNotCollide() throws InterruptedException {
        CompletableFuture<NetnsLab> a = CompletableFuture.supplyAsync(() -> NetnsLab.create(2));
        CompletableFuture<NetnsLab> b = CompletableFuture.supplyAsync(() -> NetnsLab.create(2));
        try (NetnsLab la = a.join(); NetnsLab lb = b.join()) {
            assertThat(la.namespaces()).doesNotContainAnyElementsOf(lb.namespaces());
            // Same addresses in both labs, separate bridges: each pings its own peer.
            assertThat(la.host(1).ping(la.host(2).address())).isTrue();
            assertThat(lb.host(1).ping(lb.host(2).address())).isTrue();
            // The root namespace is not part of any lab.
            assertThat(la.host(1).exec("ip", "-o", "link").orThrow().output().lines().count()).isEqualTo(2);
            Process p = la.host(1).start(List.of("sleep", "600"), Path.of("/dev/null"));
            // ip netns exec enters the namespace just after the fork: on a busy machine a moment later.
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (!la.host(1).pids().contains(p.pid()) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(la.host(1).pids()).containsExactly(p.pid());
            assertThat(lb.host(1).pids()).isEmpty();
        }
    }

    @Test
    void childJvmRunsInsideTheNamespace() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1)) {
            Path log = tmp.resolve("jvm.log");
            Process p = lab.host(1).startJvm(PrintInterfaces.class.getName(), List.of(), log);
            assertThat(p.waitFor()).isZero();
            assertThat(Files.readAllLines(log)).containsExactlyInAnyOrder("if lo", "if eth0");
        }
    }
}
