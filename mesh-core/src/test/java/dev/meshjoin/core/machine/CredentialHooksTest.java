package dev.meshjoin.core.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.core.testing.SharedSecretAdmission;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The join's calls to its credential beyond proofFor: deriveAhead() once a new node has read the
 * network record, before its first proof; one more try with a fresh proof after a refusal when the
 * credential dropped a kept derivation, and none when it kept nothing.
 */
class CredentialHooksTest {
    private static final String SECRET = "harness-network-secret";

    /** Proves with a wrong key until refused(), as a verifier kept from an older secret would. */
    private static final class Stale implements JoinCredentials {
        final JoinCredentials right = new SharedSecretAdmission(SECRET, List.of("workers"));
        final JoinCredentials wrong = new SharedSecretAdmission("an-older-network-secret", List.of("workers"));
        final AtomicInteger refusals = new AtomicInteger();
        final boolean keptSomething;
        volatile boolean fresh;

        Stale(boolean keptSomething) {
            this.keptSomething = keptSomething;
        }

        @Override
        public byte[] proofFor(JoinNetwork network, String node, byte[] publicKey, byte[] nonce) {
            return (fresh ? right : wrong).proofFor(network, node, publicKey, nonce);
        }

        @Override
        public boolean refused(JoinNetwork network) {
            refusals.incrementAndGet();
            fresh = keptSomething;
            return keptSomething;
        }
    }

    private static NodeStatus joinWith(Stale credentials) {
        AesGcmTestCodec codec = AesGcmTestCodec.random();
        try (MeshHarness mesh = MeshHarness.builder().secret(SECRET)
                .caProvider(new TestDoubleCertificateAuthorityProvider(Clock.systemUTC())).caKeyCodec(salt -> codec).build()) {
            assertThat(mesh.node("founder").join().state()).isEqualTo(NodeState.READY);
            MeshNode w = mesh.node("w", b -> b.publicEndpoint(null).credentials(credentials));
            return w.join();
        }
    }

    @Test
    void aNewNodePreparesItsCredentialBeforeItsFirstProofAndARestartedOneDoesNot() {
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        JoinCredentials right = new SharedSecretAdmission(SECRET, List.of("workers"));
        JoinCredentials recording = new JoinCredentials() {
            @Override
            public byte[] proofFor(JoinNetwork network, String node, byte[] publicKey, byte[] nonce) {
                calls.add("proof");
                return right.proofFor(network, node, publicKey, nonce);
            }

            @Override
            public void deriveAhead(JoinNetwork network) {
                calls.add("derive " + network.name());
            }
        };
        AesGcmTestCodec codec = AesGcmTestCodec.random();
        try (MeshHarness mesh = MeshHarness.builder().secret(SECRET)
                .caProvider(new TestDoubleCertificateAuthorityProvider(Clock.systemUTC())).caKeyCodec(salt -> codec).build()) {
            assertThat(mesh.node("founder").join().state()).isEqualTo(NodeState.READY);
            MeshNode w = mesh.node("w", b -> b.publicEndpoint(null).credentials(recording));
            assertThat(w.join().state()).isEqualTo(NodeState.READY);
            assertThat(calls).containsExactly("derive test", "proof");
            w.close();
            MeshNode again = mesh.node("w", b -> b.publicEndpoint(null).credentials(recording));
            assertThat(again.join().state()).isEqualTo(NodeState.READY);
            assertThat(calls).as("it resumed with its saved certificate").containsExactly("derive test", "proof");
        }
    }

    @Test
    void aDroppedKeptDerivationJoinsWithTheFreshProof() {
        Stale c = new Stale(true);
        NodeStatus s = joinWith(c);
        assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY);
        assertThat(c.refusals).hasValue(1);
    }

    @Test
    void aCredentialWithNothingKeptFailsAfterOneRefusal() {
        Stale c = new Stale(false);
        NodeStatus s = joinWith(c);
        assertThat(s.state()).isEqualTo(NodeState.FAILED);
        assertThat(s.detail()).contains("not valid");
        assertThat(c.refusals).hasValue(1);
    }
}
