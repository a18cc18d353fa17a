package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayState;
import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Nebula daemons in network namespaces: a lighthouse and two joiners with certificates from
 * the real {@code nebula-cert}. Needs root, iproute2, ping, nebula and nebula-cert.
 */
class NebulaOverlayDriverIT {
    private static final Logger LOG = LoggerFactory.getLogger(NebulaOverlayDriverIT.class);
    static final Duration UP = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    NetnsLab lab;
    NebulaCertTool certs;
    final List<NebulaOverlayDriver> drivers = new ArrayList<>();
    final List<Node> nodes = new ArrayList<>();
    Lighthouse lighthouse;

    record Node(String name, NetnsHost host, Ipv4Address overlay, OverlayConfig config, NebulaOverlayDriver driver) {
    }

    // Checked before each test, not in @BeforeAll: an assumption there makes Failsafe count no test at
    // all, while here every test is reported skipped with the reason.
    @BeforeEach
    void mesh() throws Exception {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        assumeTrue(NebulaCertTool.unavailableReason().isEmpty(), () -> "skipped: " + NebulaCertTool.unavailableReason().orElse(""));
        lab = NetnsLab.create(3);
        certs = new NebulaCertTool(Files.createDirectories(tmp.resolve("ca"))).ca("it-ca");
        lighthouse = new Lighthouse("lh", Ipv4Address.parse("10.77.0.1"),
                List.of(new Endpoint(lab.host(1).address().toString(), 4242)));
        nodes.add(node("lh", 1, "10.77.0.1", true));
        nodes.add(node("w2", 2, "10.77.0.2", false));
        nodes.add(node("w3", 3, "10.77.0.3", false));
    }

    @AfterEach
    void teardown() {
        for (NebulaOverlayDriver d : drivers) {
            d.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    Node node(String name, int host, String ip, boolean isLighthouse) throws Exception {
        HostKeyPair keys = certs.keygen(name);
        OverlayConfig config = OverlayConfig.builder().nodeName(name).address(Ipv4Interface.parse(ip + "/24"))
                .certificatePem(certs.sign(name, ip + "/24", isLighthouse ? "lighthouse" : "workers"))
                .privateKey(keys.privateKey()).caBundlePem(certs.caPem()).lighthouses(List.of(lighthouse))
                .lighthouse(isLighthouse).listenPort(isLighthouse ? 4242 : 0).stateDirectory(tmp.resolve("state-" + name)).build();
        NebulaOverlayDriver driver = NebulaOverlayDriver.builder().launcher(lab.host(host).launcher())
                .initialBackoff(Duration.ofMillis(100)).probeInterval(Duration.ofSeconds(1)).build();
        drivers.add(driver);
        return new Node(name, lab.host(host), Ipv4Address.parse(ip), config, driver);
    }

    void startAll() throws Exception {
        for (Node n : nodes) {
            n.driver().start(n.config());
        }
        for (Node n : nodes) {
            assertThat(n.driver().awaitUp(UP)).as(n.name() + " up: " + n.driver().health()).isTrue();
        }
    }

    @Test
    void threeNodesReachEachOtherInAllDirectionsAndLeaveNothingBehind() throws Exception {
        startAll();
        for (Node a : nodes) {
            for (Node b : nodes) {
                if (a != b) {
                    assertThat(a.host().ping(b.overlay())).as(a.name() + " -> " + b.name() + " over the overlay").isTrue();
                }
            }
        }
        assertThat(nodes.get(0).driver().health().detail()).contains("no other lighthouse");
        assertThat(nodes.get(1).driver().health().detail()).contains("answered over the overlay");
        Path key = nodes.get(1).config().stateDirectory().resolve("host.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

        List<Long> pids = new ArrayList<>();
        for (Node n : nodes) {
            pids.add(n.driver().daemonPid().orElseThrow());
            assertThat(n.host().hasLink(n.driver().tunDevice().orElseThrow())).isTrue();
        }
        for (Node n : nodes) {
            n.driver().close();
            assertThat(n.driver().health().state()).isEqualTo(OverlayState.STOPPED);
            assertThat(n.driver().daemonPid()).isEmpty();
            assertThat(n.host().hasLink(n.driver().tunDevice().orElseThrow())).as("tun of " + n.name() + " removed").isFalse();
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("nebula pid " + pid).isFalse();
        }
        for (Node n : nodes) {
            assertThat(n.host().pids()).as("no process left in " + n.host().namespace()).isEmpty();
        }
    }

    @Test
    void killedDaemonIsRestartedDegradedThenUp() throws Exception {
        startAll();
        Node w2 = nodes.get(1);
        List<OverlayState> seen = new CopyOnWriteArrayList<>();
        w2.driver().addListener((prev, next) -> seen.add(next.state()));
        long pid = w2.driver().daemonPid().orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        long deadline = System.nanoTime() + UP.toNanos();
        while (!(seen.contains(OverlayState.DEGRADED) && w2.driver().health().state() == OverlayState.UP)
                && System.nanoTime() < deadline) {
            w2.driver().awaitUp(Duration.ofMillis(200));
        }
        assertThat(seen).as("states after kill -9").containsSubsequence(OverlayState.DEGRADED, OverlayState.UP);
        long newPid = w2.driver().daemonPid().orElseThrow();
        assertThat(newPid).isNotEqualTo(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(w2.host().ping(nodes.get(2).overlay())).as("w2 -> w3 after restart").isTrue();
        assertThat(nodes.get(2).host().ping(w2.overlay())).as("w3 -> w2 after restart").isTrue();
    }

    @Test
    void reloadWithRenewedCertificateSendsSighupToTheSameDaemon() throws Exception {
        startAll();
        Node w3 = nodes.get(2);
        List<String> daemonSaid = new CopyOnWriteArrayList<>();
        w3.driver().addLogListener(e -> daemonSaid.add(e.message()));
        long pid = w3.driver().daemonPid().orElseThrow();
        byte[] renewed = certs.sign("w3", "10.77.0.3/24", "workers", "w3-renewed.crt", "100h");
        assertThat(renewed).isNotEqualTo(w3.config().certificatePem());
        Lighthouse second = new Lighthouse("lh-b", Ipv4Address.parse("10.77.0.9"), List.of(Endpoint.parse("192.0.2.9:4242")));
        w3.driver().reload(w3.config().toBuilder().certificatePem(renewed).lighthouses(List.of(lighthouse, second)).build());
        long deadline = System.nanoTime() + UP.toNanos();
        while (!daemonSaid.contains("Client cert refreshed from disk") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            w3.driver().awaitUp(Duration.ofMillis(50));
        }
        assertThat(daemonSaid).contains("Caught HUP, reloading config", "Client cert refreshed from disk");
        assertThat(w3.driver().daemonPid()).contains(pid);
        assertThat(Files.readAllBytes(w3.config().stateDirectory().resolve("host.crt"))).isEqualTo(renewed);
        assertThat(Files.readString(w3.config().stateDirectory().resolve("nebula.yml"))).contains("10.77.0.9");
        assertThat(w3.host().ping(nodes.get(0).overlay())).isTrue();
        assertThat(w3.driver().health().state()).isEqualTo(OverlayState.UP);
    }

    @Test
    void reloadWithANewAddressRestartsTheDaemon() throws Exception {
        startAll();
        Node w2 = nodes.get(1);
        long pid = w2.driver().daemonPid().orElseThrow();
        byte[] moved = certs.sign("w2", "10.77.0.12/24", "workers", "w2-moved.crt");
        w2.driver().reload(w2.config().toBuilder().address(Ipv4Interface.parse("10.77.0.12/24")).certificatePem(moved).build());
        Ipv4Address newAddress = Ipv4Address.parse("10.77.0.12");
        long deadline = System.nanoTime() + UP.toNanos();
        while ((w2.driver().daemonPid().orElse(pid) == pid || !nodes.get(2).host().ping(newAddress)) && System.nanoTime() < deadline) {
            w2.driver().awaitUp(Duration.ofMillis(100));
        }
        assertThat(w2.driver().daemonPid()).isPresent().isNotEqualTo(java.util.Optional.of(pid));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(nodes.get(2).host().ping(newAddress)).as("w3 -> w2 at its new address").isTrue();
        assertThat(w2.driver().awaitUp(UP)).isTrue();
    }

    @Test
    void reloadOfARefusedConfigKeepsTheRunningOne() throws Exception {
        startAll();
        Node w2 = nodes.get(1);
        HostKeyPair stranger = certs.keygen("stranger");
        byte[] before = Files.readAllBytes(w2.config().stateDirectory().resolve("host.key"));
        assertThatThrownBy(() -> w2.driver().reload(w2.config().toBuilder().privateKey(stranger.privateKey()).build()))
                .isInstanceOf(OverlayException.class).hasMessageContaining("private key is not a pair");
        assertThat(Files.readAllBytes(w2.config().stateDirectory().resolve("host.key"))).isEqualTo(before);
        assertThat(w2.host().ping(nodes.get(0).overlay())).isTrue();
    }

    @Test
    void daemonThatKeepsCrashingEndsFailedWithItsReason() throws Exception {
        // The lighthouse's port is taken in its namespace: -test accepts the config, the daemon cannot bind.
        Node lh = nodes.get(0);
        Process squatter = lh.host().start(List.of("python3", "-c",
                "import socket,time,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',4242))\n"
                        + "print('bound',flush=True)\ntime.sleep(600)"), tmp.resolve("squatter.log"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.readString(tmp.resolve("squatter.log")).contains("bound") && System.nanoTime() < deadline) {
            assertThat(squatter.isAlive()).isTrue();
            Thread.onSpinWait();
        }
        NebulaOverlayDriver driver = NebulaOverlayDriver.builder().launcher(lh.host().launcher())
                .maxRestarts(2).initialBackoff(Duration.ofMillis(50)).build();
        drivers.add(driver);
        List<OverlayState> seen = Collections.synchronizedList(new ArrayList<>());
        driver.addListener((p, n) -> seen.add(n.state()));
        driver.start(lh.config());
        assertThatThrownBy(() -> driver.awaitUp(UP)).isInstanceOf(OverlayException.class)
                .hasMessageContaining("address already in use").hasMessageContaining("gave up after 2 restarts");
        assertThat(driver.health().state()).isEqualTo(OverlayState.FAILED);
        assertThat(driver.daemonPid()).isEmpty();
        assertThat(seen).doesNotContain(OverlayState.UP);
        squatter.destroyForcibly().waitFor();
        assertThat(lh.host().pids()).isEmpty();
    }

    @Test
    void certificatesFromThePureJavaCaWorkWithTheRealDaemon() throws Exception {
        NebulaCertificateAuthorityProvider provider = new NebulaCertificateAuthorityProvider();
        CertificateAuthority ca = provider.create(CaSpec.forNetwork("java-ca", Ipv4Cidr.parse("10.78.0.0/24"), Duration.ofDays(1)));
        Lighthouse javaLh = new Lighthouse("jlh", Ipv4Address.parse("10.78.0.1"), List.of(new Endpoint(lab.host(1).address().toString(), 4343)));
        List<Node> javaNodes = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            HostKeyPair keys = provider.newHostKeyPair();
            boolean isLh = i == 1;
            String name = isLh ? "jlh" : "jw" + i;
            Ipv4Address address = Ipv4Address.parse("10.78.0." + i);
            HostCertificate cert = ca.issue(new CertificateRequest(keys.publicKey(), name, address, 24,
                    List.of(isLh ? "lighthouse" : "workers"), null));
            OverlayConfig config = OverlayConfig.builder().nodeName(name).address(new Ipv4Interface(address, 24))
                    .certificatePem(cert.pem()).privateKey(keys.privateKey()).caBundlePem(ca.caCertificate().pem())
                    .lighthouses(List.of(javaLh)).lighthouse(isLh).listenPort(isLh ? 4343 : 0)
                    .stateDirectory(tmp.resolve("java-" + name)).build();
            NebulaOverlayDriver driver = NebulaOverlayDriver.builder().launcher(lab.host(i).launcher()).build();
            drivers.add(driver);
            driver.start(config);
            javaNodes.add(new Node(name, lab.host(i), address, config, driver));
        }
        for (Node n : javaNodes) {
            assertThat(n.driver().awaitUp(UP)).as(n.name() + ": " + n.driver().health()).isTrue();
        }
        assertThat(javaNodes.get(1).host().ping(javaNodes.get(0).overlay())).isTrue();
        assertThat(javaNodes.get(0).host().ping(javaNodes.get(1).overlay())).isTrue();
    }

    /**
     * Time from start() to UP, logged (speed is reported, not asserted): the lighthouse once, a
     * joiner five times against the running lighthouse.
     */
    @Test
    void measureStartToUp() throws Exception {
        Node lh = nodes.get(0);
        long t0 = System.nanoTime();
        lh.driver().start(lh.config());
        assertThat(lh.driver().awaitUp(UP)).isTrue();
        long lighthouseMs = (System.nanoTime() - t0) / 1_000_000;
        Node w2 = nodes.get(1);
        List<Long> joiner = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long s = System.nanoTime();
            w2.driver().start(w2.config());
            assertThat(w2.driver().awaitUp(UP)).isTrue();
            joiner.add((System.nanoTime() - s) / 1_000_000);
            w2.driver().stop();
        }
        List<Long> sorted = new ArrayList<>(joiner);
        Collections.sort(sorted);
        LOG.info("start() -> UP: lighthouse {} ms; joiner runs {} ms, median {} ms", lighthouseMs, joiner, sorted.get(2));
    }
}
