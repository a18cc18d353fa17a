package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import dev.meshjoin.nebula.cert.NebulaPem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real nebula and nebula-cert binaries, without root: config acceptance and refusals. */
class NebulaConfigIT {
    @TempDir
    Path tmp;
    NebulaCertTool certs;
    static final Lighthouse LH = new Lighthouse("lh", Ipv4Address.parse("10.77.0.1"), List.of(Endpoint.parse("192.0.2.1:4242")));

    // Checked before each test, not in @BeforeAll: an assumption there makes Failsafe count no test at
    // all, while here every test is reported skipped with the reason.
    @BeforeEach
    void ca() throws Exception {
        assumeTrue(NebulaCertTool.unavailableReason().isEmpty(), () -> "skipped: " + NebulaCertTool.unavailableReason().orElse(""));
        certs = new NebulaCertTool(Files.createDirectories(tmp.resolve("ca"))).ca("it-ca");
    }

    OverlayConfig.Builder node(String name, String ip, boolean lighthouse) throws Exception {
        HostKeyPair keys = certs.keygen(name);
        return OverlayConfig.builder().nodeName(name).address(Ipv4Interface.parse(ip + "/24"))
                .certificatePem(certs.sign(name, ip + "/24", lighthouse ? "lighthouse" : "workers"))
                .privateKey(keys.privateKey()).caBundlePem(certs.caPem()).lighthouses(List.of(LH))
                .lighthouse(lighthouse).listenPort(lighthouse ? 4242 : 0).stateDirectory(tmp.resolve("state-" + name));
    }

    @Test
    void ourKeyPemIsByteIdenticalToNebulaCerts() throws Exception {
        HostKeyPair keys = certs.keygen("k");
        assertThat(NebulaPem.encodeX25519PrivateKey(keys.privateKey())).isEqualTo(Files.readAllBytes(certs.dir().resolve("k.key")));
    }

    @Test
    void nebulaAcceptsRenderedConfigsOfLighthouseAndJoiner() throws Exception {
        for (OverlayConfig c : List.of(node("lh", "10.77.0.1", true).build(),
                node("w1", "10.77.0.2", false).blocklist(List.of("00".repeat(32)))
                        .firewall(List.of(FirewallRule.inboundFromGroup("8080", "tcp", "workers"),
                                FirewallRule.allowAny(FirewallRule.Direction.OUTBOUND))).build())) {
            Path dir = c.stateDirectory();
            NodeFiles.prepareDirectory(dir);
            NebulaConfigRenderer.PkiPaths pki = new NebulaConfigRenderer.PkiPaths(dir.resolve("ca.crt"), dir.resolve("host.crt"), dir.resolve("host.key"));
            NodeFiles.write(pki.key(), NebulaPem.encodeX25519PrivateKey(c.privateKey()), NodeFiles.OWNER_ONLY);
            NodeFiles.write(pki.cert(), c.certificatePem(), NodeFiles.WORLD_READABLE);
            NodeFiles.write(pki.ca(), c.caBundlePem(), NodeFiles.WORLD_READABLE);
            Path yml = dir.resolve("nebula.yml");
            Files.writeString(yml, NebulaConfigRenderer.render(c, pki, NebulaOverlayDriver.tunDeviceFor(c)));
            Process p = new ProcessBuilder("nebula", "-test", "-config", yml.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }
    }

    @Test
    void configRefusedByNebulaFailsWithItsReasonWithoutRestarts() throws Exception {
        HostKeyPair other = certs.keygen("other");
        OverlayConfig c = node("w1", "10.77.0.2", false).privateKey(other.privateKey()).build();
        NebulaOverlayDriver driver = NebulaOverlayDriver.builder().initialBackoff(java.time.Duration.ofMillis(20)).build();
        List<String> details = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        driver.addListener((before, now) -> details.add(now.state() + " " + now.detail()));
        // The daemon itself refuses the config when it starts; -test then tells that apart from a crash.
        driver.start(c);
        assertThatThrownBy(() -> driver.awaitUp(java.time.Duration.ofSeconds(20))).isInstanceOf(OverlayException.class)
                .hasMessageContaining("nebula refused the config").hasMessageContaining("private key is not a pair with public key");
        assertThat(driver.health().state()).isEqualTo(OverlayState.FAILED);
        assertThat(driver.health().detail()).contains("private key is not a pair");
        assertThat(driver.daemonPid()).isEmpty();
        assertThat(driver.restarts()).as("a refused config is not restarted").isZero();
        assertThat(Files.exists(c.stateDirectory().resolve("staging"))).isFalse();
        assertThatThrownBy(() -> driver.awaitUp(java.time.Duration.ofMillis(10))).isInstanceOf(OverlayException.class);
        driver.close();
        assertThat(details).noneMatch(d -> d.contains("restarting"));
    }

    @Test
    void missingBinaryFails() throws Exception {
        OverlayConfig c = node("w1", "10.77.0.2", false).build();
        NebulaOverlayDriver driver = NebulaOverlayDriver.builder().environment(Map.of("PATH", tmp.toString())).build();
        assertThatThrownBy(() -> driver.start(c)).isInstanceOf(OverlayException.class).hasMessageContaining("no nebula binary found");
        assertThat(driver.health().state()).isEqualTo(OverlayState.FAILED);
        assertThat(driver.daemonPid()).isEmpty();
    }

    @Test
    void tooOldBinaryFails() throws Exception {
        Path old = NebulaBinaryTest.fakeNebula(tmp.resolve("old"), "1.2.0");
        OverlayConfig c = node("w1", "10.77.0.2", false).build();
        NebulaOverlayDriver driver = NebulaOverlayDriver.builder().binary(old).build();
        assertThatThrownBy(() -> driver.start(c)).isInstanceOf(OverlayException.class).hasMessageContaining("1.2.0")
                .hasMessageContaining("1.6.0 or newer");
        assertThat(driver.health().state()).isEqualTo(OverlayState.FAILED);
        assertThat(driver.health().detail()).contains("1.2.0");
        assertThat(driver.daemonPid()).isEmpty();
    }
}
