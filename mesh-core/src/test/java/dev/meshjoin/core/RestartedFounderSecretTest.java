package dev.meshjoin.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.signing.CredentialAdmission;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A founder restarted with another network secret refuses to start, and writes nothing. */
class RestartedFounderSecretTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final MeshHarness mesh = MeshHarness.builder().store(store).clock(clock)
            .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build();

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private NodeStatus startFounder(String secret) {
        return mesh.node("origin", b -> b.admission(CredentialAdmission.builder(store, "test")
                .networkSecret(secret.toCharArray(), List.of("workers")).verifierCodec(salt -> codec).clock(clock).build()))
                .join();
    }

    private Map<String, String> snapshot() {
        Map<String, String> all = new TreeMap<>();
        for (KeyVersion kv : store.list("")) {
            all.put(kv.key(), kv.version() + ":" + store.get(kv.key()).map(Entry::text).orElse("-"));
        }
        return all;
    }

    @Test
    void aRestartWithAnotherSecretIsRefusedSayingSoAndLeavesTheStoreAsItWas() {
        assertThat(startFounder("the-founding-network-secret").state()).isEqualTo(NodeState.READY);
        assertThat(store.get(CredentialAdmission.verifierKey(dev.meshjoin.core.record.StoreKeys.of("test"))))
                .as("the founder publishes the sealed verifier when it founds").isPresent();
        mesh.node("origin").close();
        Map<String, String> before = snapshot();

        NodeStatus wrong = startFounder("a-mistyped-network-secret");

        assertThat(wrong.state()).isEqualTo(NodeState.FAILED);
        assertThat(wrong.detail()).contains("network secret differs").contains("MESH_SECRET");
        assertThat(snapshot()).as("nothing was written").isEqualTo(before);

        NodeStatus right = startFounder("the-founding-network-secret");
        assertThat(right.state()).as(right.detail()).isEqualTo(NodeState.READY);
        assertThat(right.founder()).isTrue();
    }
}
