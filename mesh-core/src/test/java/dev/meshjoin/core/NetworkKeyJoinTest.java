package dev.meshjoin.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.signing.CredentialAdmission;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A network founded on a generated network key: joiners holding the key are admitted (both sides
 * derive the verifier with HKDF, no PBKDF2), and one holding another key is refused and leaves no
 * member behind.
 */
class NetworkKeyJoinTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final MeshHarness mesh = MeshHarness.builder().store(store).clock(clock)
            .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build();
    private final char[] key = NetworkSecretCredentials.generateKey();

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private NodeStatus start(String name, char[] secret, boolean founder) {
        NetworkSecretCredentials credentials = new NetworkSecretCredentials(secret, mesh.stateDirectory(name));
        CredentialAdmission admission = CredentialAdmission.builder(store, "test")
                .networkSecret(secret, List.of("workers")).verifierCodec(salt -> codec).clock(clock).build();
        return mesh.node(name, b -> {
            b.admission(admission).credentials(credentials).recordMacKeys(credentials);
            if (!founder) {
                b.publicEndpoint(null).caKeyCodec(null);
            }
        }).join();
    }

    @Test
    void holdersOfTheKeyJoinAndAnotherKeyIsRefused() {
        NodeStatus founder = start("origin", key, true);
        assertThat(founder.state()).as(founder.detail()).isEqualTo(NodeState.READY);
        assertThat(store.get(CredentialAdmission.verifierKey(StoreKeys.of("test")))).isPresent();

        for (String name : List.of("w1", "w2")) {
            NodeStatus s = start(name, key.clone(), false);
            assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY);
            assertThat(s.founder()).isFalse();
            assertThat(mesh.stateDirectory(name).resolve(NetworkSecretCredentials.FILE))
                    .as("a key's verifier is not kept on disk").doesNotExist();
        }

        NodeStatus stranger = start("stranger", NetworkSecretCredentials.generateKey(), false);
        assertThat(stranger.state()).isEqualTo(NodeState.FAILED);
        System.out.println("a joiner with another network key: " + stranger.detail());
        assertThat(stranger.detail()).contains("MESH_SECRET is not the network's").contains("Nothing was acted on");
        assertThat(store.get(StoreKeys.of("test").member("stranger"))).isEmpty();
    }
}
