package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NebulaSetupTest {
    private final OverlayConfig base = NebulaConfigRendererTest.base().build();

    @Test
    void whatSighupReloadsNeedsNoRestart() {
        Lighthouse other = new Lighthouse("lh9", Ipv4Address.parse("10.42.0.9"), List.of(Endpoint.parse("192.0.2.9:4242")));
        for (OverlayConfig next : List.of(
                base.toBuilder().certificatePem("RENEWED".getBytes()).build(),
                base.toBuilder().caBundlePem("CA2".getBytes()).build(),
                base.toBuilder().lighthouses(List.of(other)).build(),
                base.toBuilder().blocklist(List.of("00".repeat(32))).build())) {
            assertThat(NebulaSetup.needsRestart(base, next)).as(next.toString()).isFalse();
        }
    }

    @Test
    void addressPortRoleNameOrDirectoryNeedANewDaemon() {
        for (OverlayConfig next : List.of(
                base.toBuilder().address(Ipv4Interface.parse("10.42.0.8/16")).build(),
                base.toBuilder().listenPort(4242).build(),
                base.toBuilder().lighthouse(true).build(),
                base.toBuilder().nodeName("w8").build(),
                base.toBuilder().stateDirectory(Path.of("/elsewhere")).build())) {
            assertThat(NebulaSetup.needsRestart(base, next)).as(next.toString()).isTrue();
        }
    }
}
