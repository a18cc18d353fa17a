package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The first attack against real meshctl nodes and real nebula in namespaces: a store writer
 * appends a second CA to the bundle (keeping caFingerprint) and points the signing endpoint at a
 * rogue service. A fresh joiner holding the pin, a restarted member and the restarted founder all
 * refuse it, nobody contacts the rogue endpoint, and the founder stays founder with one CA in its
 * Nebula configuration. Needs root and nebula.
 */
class MeshctlTamperedStoreIT extends MeshctlLabIT {
    private static final String ROGUE = "203.0.113.66:8444";

    @Test
    void aBundleWithAnAppendedCaIsRefusedByAPinnedJoinerARestartedMemberAndTheRestartedFounder() throws Exception {
        lab = MeshctlLab.create(3, tmp);
        Process founder = lab.up(lab.host(1), "node-1", true);
        lab.ready("node-1");
        Run fp = Run.meshctl(tmp, Map.of("MESH_CA_PASSPHRASE", MeshctlLab.CA_PASSPHRASE), "ca", "fingerprint",
                "--store", lab.store(), "--network", "it");
        assertThat(fp.status()).as(fp.err()).isZero();
        String ca = fp.out().strip();
        assertThat(fp.err()).contains("MESH_CA_FINGERPRINT=" + ca);

        Process member = lab.up(lab.host(2), "node-2", false, "--ca-fingerprint", ca);
        lab.ready("node-2");
        member.destroyForcibly();
        founder.destroyForcibly();
        assertThat(member.waitFor(10, TimeUnit.SECONDS) && founder.waitFor(10, TimeUnit.SECONDS)).isTrue();

        byte[] tampered;
        String roguePem;
        try (BootstrapStore store = BootstrapStores.open(lab.store())) {
            Entry e = store.get("mesh/it/network").orElseThrow();
            ObjectNode rec = (ObjectNode) Json.mapper().readTree(e.value());
            CertificateAuthority rogue = new NebulaCertificateAuthorityProvider().create(CaSpec.forNetwork("rogue",
                    Ipv4Cidr.parse("10.42.0.0/16"), Duration.ofDays(30)));
            roguePem = rogue.caCertificate().pemText();
            rec.put("caBundle", rec.get("caBundle").asText() + roguePem);
            ((ObjectNode) rec.get("lighthouses").get(0)).put("signingEndpoint", ROGUE);
            tampered = Json.write(rec);
            assertThat(store.compareAndSet("mesh/it/network", e.version(), tampered)).isPresent();
        }

        String refusal = "mesh/it/network does not match the signature of CA " + ca;
        Process fresh = lab.up(lab.host(3), "node-3", false, "--ca-fingerprint", ca);
        assertThat(fresh.waitFor(90, TimeUnit.SECONDS)).as(lab.output("node-3")).isTrue();
        assertThat(fresh.exitValue()).isEqualTo(1);
        assertThat(lab.output("node-3")).contains(refusal).doesNotContain("READY");

        // The member restarts on its state directory without the pin: node.json names its CA.
        Process restarted = lab.up(lab.host(2), "node-2", false);
        assertThat(restarted.waitFor(90, TimeUnit.SECONDS)).as(lab.output("node-2")).isTrue();
        assertThat(restarted.exitValue()).isEqualTo(1);
        assertThat(lab.output("node-2")).contains(refusal);

        Process again = lab.up(lab.host(1), "node-1", true);
        assertThat(again.waitFor(90, TimeUnit.SECONDS)).as(lab.output("node-1")).isTrue();
        assertThat(again.exitValue()).isEqualTo(1);
        assertThat(lab.output("node-1")).contains(refusal).contains("This node is the network's founder and stays so");
        assertThat(Files.readString(tmp.resolve("node-1").resolve("node.json"))).contains("\"role\":\"founder\"");
        String rogueBody = roguePem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        try (Stream<Path> files = Files.walk(tmp.resolve("node-1"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as(p.toString())
                        .doesNotContain(rogueBody);
            }
        }
        try (BootstrapStore store = BootstrapStores.open(lab.store())) {
            assertThat(Arrays.equals(store.get("mesh/it/network").orElseThrow().value(), tampered))
                    .as("the refused record is left as it is").isTrue();
            assertThat(store.get("mesh/it/members/node-3")).isEmpty();
        }
        assertThat(Pattern.compile(Pattern.quote(ROGUE)).matcher(lab.output("node-3")).find())
                .as("the joiner never tried the rogue signing endpoint").isFalse();
    }
}
