package dev.meshjoin.core.signing;

import dev.meshjoin.core.secret.SecretCodecs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.address.DetectedAddress;
import dev.meshjoin.core.address.PublicAddressDetector;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With nothing configured, a joiner learns its public address from what the lighthouse saw over HTTP. */
class ObservedAddressIT {
    private static final String SECRET = "network-secret-of-the-observed-address-test";
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
    private final TestDoubleCertificateAuthorityProvider provider = new TestDoubleCertificateAuthorityProvider();
    private final SecretCodecFactory codec = SecretCodecs.passphrase("observed-ca-passphrase".toCharArray());
    private final MeshHarness mesh = MeshHarness.builder().store(store).caProvider(provider).caKeyCodec(codec)
            .joinTimeout(Duration.ofSeconds(20)).build();

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private MeshNode node(String name, String host, int port, PublicAddressDetector detector) {
        return mesh.node(name, b -> b
                .transport(new HttpJoinTransport(provider))
                .signingServers(HttpSigningServerFactory.builder(store, "test").build())
                .admission(CredentialAdmission.builder(store, "test").networkSecret(SECRET.toCharArray(), List.of())
                        .verifierCodec(codec).build())
                .credentials(new NetworkSecretCredentials(SECRET.toCharArray()))
                .publicEndpoint(host == null ? null : new Endpoint(host, 4242))
                .signingPort(port)
                .publicAddressDetector(detector));
    }

    @Test
    void theJoinResponsesObservedAddressDecidesWhenNothingIsConfigured() {
        PublicAddressDetector loopbackAllowed = PublicAddressDetector.builder().useInterfaces(false)
                .allow("127.0.0.0/8").build();
        assertThat(node("lh", "127.0.0.1", SigningFixture.freePort(), loopbackAllowed).join().state())
                .isEqualTo(NodeState.READY);
        MeshNode joiner = node("joiner", null, 8444, loopbackAllowed);
        assertThat(joiner.join().state()).isEqualTo(NodeState.READY);

        DetectedAddress detected = joiner.publicAddress().orElseThrow();
        assertThat(detected.source()).isEqualTo(DetectedAddress.Source.OBSERVED_BY_LIGHTHOUSE);
        assertThat(detected.address().getHostAddress()).isEqualTo("127.0.0.1");

        // Without the operator allowing loopback, the same observation is refused, never called public.
        MeshNode strict = node("strict", null, 8444, PublicAddressDetector.builder().useInterfaces(false).build());
        assertThat(strict.join().state()).isEqualTo(NodeState.READY);
        assertThat(strict.publicAddress()).isEmpty();
    }
}
