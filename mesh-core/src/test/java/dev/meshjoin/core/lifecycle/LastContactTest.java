package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A member's follower knows when each lighthouse last answered it, by the node's clock. */
class LastContactTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final MeshHarness mesh = MeshHarness.builder().store(InMemoryBootstrapStore.linearizable(clock)).clock(clock)
            .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build();

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    @Test
    void eachAnsweredPollStampsItsLighthouseAndAnUnansweredOneDoesNot() {
        MeshNode lh = mesh.node("lh");
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        MeshNode w = mesh.node("w", b -> b.publicEndpoint(null));
        assertThat(w.join().state()).isEqualTo(NodeState.READY);
        String lhAddress = lh.status().address().orElseThrow().address().toString();

        clock.advance(Duration.ofMinutes(3));
        Instant answered = clock.instant();
        w.follower().orElseThrow().tick();
        assertThat(w.follower().orElseThrow().lastContact()).containsEntry(lhAddress, answered);

        mesh.joinNetwork().offline(w.status().address().orElseThrow().address(), true);
        clock.advance(Duration.ofMinutes(3));
        w.follower().orElseThrow().tick();
        assertThat(w.follower().orElseThrow().lastContact()).as("the unanswered poll changes nothing")
                .containsEntry(lhAddress, answered);
        assertThat(lh.follower().orElseThrow().lastContact()).as("a lighthouse follows itself").isEmpty();
    }
}
