package dev.meshjoin.examples;

import dev.meshjoin.core.secret.SecretCodecs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import static dev.meshjoin.testkit.Bytes.indexOf;
import org.junit.jupiter.api.Test;

/**
 * After a real founding (Nebula CA, default codec) and two joins, the raw store holds no key
 * material and no secret in plaintext, in any encoding a careless writer would have used.
 */
class SealedAtRestTest {

    @Test
    void theRawStoreHoldsNoKeyMaterialAndNoSecret() throws Exception {
        String caPassphrase = "ca-passphrase-for-this-test";
        String networkSecret = "network-secret-for-this-test";
        try (MeshHarness mesh = MeshHarness.builder().caProvider(new NebulaCertificateAuthorityProvider())
                .caKeyCodec(SecretCodecs.passphrase(caPassphrase.toCharArray())).secret(networkSecret).build()) {
            List<NodeStatus> joined = new ArrayList<>();
            for (String n : List.of("founder", "joiner-a", "joiner-b")) {
                joined.add(mesh.node(n).join());
            }
            assertThat(joined).allSatisfy(s -> assertThat(s.state()).isEqualTo(NodeState.READY));

            List<byte[]> forbidden = new ArrayList<>();
            forbidden.add(caPassphrase.getBytes(StandardCharsets.UTF_8));
            forbidden.add(networkSecret.getBytes(StandardCharsets.UTF_8));
            for (String n : List.of("founder", "joiner-a", "joiner-b")) {
                Path state = mesh.stateDirectory(n);
                byte[] privateKey = mesh.overlay(n).current().orElseThrow().privateKey();
                forbidden.add(privateKey);
                forbidden.add(Base64.getEncoder().encode(privateKey));
                forbidden.add(HexFormat.of().formatHex(privateKey).getBytes(StandardCharsets.US_ASCII));
                assertThat(Files.exists(state.resolve("host.key"))).isTrue();
            }
            Map<String, byte[]> raw = mesh.store().rawSnapshot();
            assertThat(raw.keySet()).anyMatch(k -> k.contains("/ca/"));
            for (Map.Entry<String, byte[]> e : raw.entrySet()) {
                String text = new String(e.getValue(), StandardCharsets.ISO_8859_1);
                assertThat(text).as(e.getKey()).doesNotContain("PRIVATE KEY").doesNotContain("SIGNING KEY");
                for (byte[] f : forbidden) {
                    assertThat(indexOf(e.getValue(), f)).as(e.getKey()).isEqualTo(-1);
                }
            }
        }
    }
}
