package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MeshNodes joining over the real HTTP signing service: a restarted founder signs with the same CA,
 * and a second lighthouse holding the CA passphrase signs when the first is gone.
 */
class LighthouseRestartIT {
    private static final String SECRET = "network-secret-of-the-restart-test";
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
    private final TestDoubleCertificateAuthorityProvider provider = new TestDoubleCertificateAuthorityProvider();
    private final SecretCodecFactory passphrase = salt -> SecretCodecs.create("default", "the-ca-passphrase".toCharArray(), salt);
    private final SecretCodecFactory wrongPassphrase = salt -> SecretCodecs.create("default", "not-the-ca-passphrase".toCharArray(), salt);
    private final MeshHarness mesh = MeshHarness.builder().store(store).caProvider(provider).caKeyCodec(passphrase)
            .joinTimeout(Duration.ofSeconds(20)).build();
    private final StoreKeys keys = StoreKeys.of("test");

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private MeshNode node(String name, String host, int signingPort, boolean lighthouse, SecretCodecFactory codec) {
        return mesh.node(name, b -> b
                .transport(new HttpJoinTransport(provider))
                .signingServers(HttpSigningServerFactory.builder(store, "test").build())
                .admission(CredentialAdmission.builder(store, "test").networkSecret(SECRET.toCharArray(), List.of("workers"))
                        .verifierCodec(codec).build())
                .credentials(new NetworkSecretCredentials(SECRET.toCharArray()))
                .caKeyCodec(codec)
                .groups(List.of("workers"))
                .publicEndpoint(host == null ? null : new Endpoint(host, 4242))
                .signingPort(signingPort)
                .lighthouse(lighthouse));
    }

    private NetworkRecord record() {
        return Json.read(store.get(keys.network()).orElseThrow().value(), NetworkRecord.class, keys.network());
    }

    private HostCertificate verified(MeshNode n) {
        CertificateVerifier pinned = provider.verifier(record().caBundle().getBytes(StandardCharsets.US_ASCII));
        return pinned.verify(n.certificate().orElseThrow().pem(), Clock.systemUTC().instant());
    }

    @Test
    void aRestartedLighthouseKeepsItsCaAndASecondOneWithThePassphraseSigns() {
        int port1 = SigningFixture.freePort();
        MeshNode lh1 = node("lh-1", "127.0.0.1", port1, false, passphrase);
        assertThat(lh1.join().state()).isEqualTo(NodeState.READY);
        String caFingerprint = record().caFingerprint();
        MeshNode w1 = node("w-1", null, 8444, false, passphrase);
        NodeStatus s1 = w1.join();
        assertThat(s1.state()).as(s1.detail()).isEqualTo(NodeState.READY);
        HostCertificate w1Cert = verified(w1);

        lh1.close();
        MeshNode lh1Again = node("lh-1", "127.0.0.1", port1, false, passphrase);
        NodeStatus again = lh1Again.join();
        assertThat(again.state()).as(again.detail()).isEqualTo(NodeState.READY);
        assertThat(again.founder()).isTrue();
        assertThat(record().caFingerprint()).isEqualTo(caFingerprint);
        assertThat(verified(w1).fingerprint()).as("earlier members still verify").isEqualTo(w1Cert.fingerprint());
        MeshNode w2 = node("w-2", null, 8444, false, passphrase);
        assertThat(w2.join().state()).isEqualTo(NodeState.READY);
        verified(w2);

        // A node with the wrong CA passphrase cannot become a lighthouse.
        MeshNode impostor = node("lh-x", "127.0.0.3", SigningFixture.freePort(), true, wrongPassphrase);
        NodeStatus refused = impostor.join();
        assertThat(refused.state()).isEqualTo(NodeState.FAILED);
        assertThat(refused.detail()).contains("CA passphrase");
        assertThat(record().lighthouses()).extracting(NetworkRecord.LighthouseEntry::name).containsExactly("lh-1");

        MeshNode lh2 = node("lh-2", "127.0.0.2", SigningFixture.freePort(), true, passphrase);
        NodeStatus s2 = lh2.join();
        assertThat(s2.state()).as(s2.detail()).isEqualTo(NodeState.READY);
        assertThat(record().lighthouses()).extracting(NetworkRecord.LighthouseEntry::name).containsExactly("lh-1", "lh-2");
        assertThat(verified(lh2).groups()).contains("lighthouse");
        assertThat(record().caFingerprint()).isEqualTo(caFingerprint);

        lh1Again.close();
        MeshNode w3 = node("w-3", null, 8444, false, passphrase);
        NodeStatus s3 = w3.join();
        assertThat(s3.state()).as(s3.detail()).isEqualTo(NodeState.READY);
        HostCertificate w3Cert = verified(w3);
        assertThat(w3Cert.address()).isNotIn(verified(lh2).address(), w1Cert.address());
        assertThat(store.list(AuditLog.dayPrefix(keys, Clock.systemUTC().instant()))).isNotEmpty();
    }
}
