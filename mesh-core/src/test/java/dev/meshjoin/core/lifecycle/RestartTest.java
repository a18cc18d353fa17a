package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.signing.CredentialAdmission;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokenCredentials;
import dev.meshjoin.core.signing.EnrollmentTokens;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A restarted member with a valid saved certificate starts with it and does not join again. */
class RestartTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private MeshHarness mesh;
    private InMemoryBootstrapStore store;

    @BeforeEach
    void setUp() {
        store = InMemoryBootstrapStore.linearizable(clock);
        mesh = MeshHarness.builder().store(store).clock(clock)
                .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build();
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private MeshNode tokenMember(EnrollmentToken token, List<NodeState> states) {
        return mesh.node("worker", b -> b.publicEndpoint(null).credentials(new EnrollmentTokenCredentials(token))
                .groups(List.of("workers")).listener((p, n) -> states.add(n.state())));
    }

    @Test
    void aMemberAdmittedWithAOneUseTokenRestartsOnItsStateDirectoryWithoutJoiningAgain() {
        mesh.node("lh", b -> b.admission(CredentialAdmission.builder(mesh.store(), "test").clock(clock).build())).join();
        EnrollmentToken token = new EnrollmentTokens(store, StoreKeys.of("test"), clock)
                .create(List.of("workers"), Duration.ofHours(1), 1);
        List<NodeState> first = new CopyOnWriteArrayList<>();
        NodeStatus joined = tokenMember(token, first).join();
        assertThat(joined.state()).as(joined.detail()).isEqualTo(NodeState.READY);
        assertThat(first).contains(NodeState.JOINING);
        int requests = mesh.joinNetwork().requests().size();

        clock.advance(Duration.ofDays(3));
        List<NodeState> second = new CopyOnWriteArrayList<>();
        NodeStatus again = tokenMember(token, second).join();

        assertThat(again.state()).as(again.detail()).isEqualTo(NodeState.READY);
        assertThat(again.address()).isEqualTo(joined.address());
        assertThat(second).contains(NodeState.RECOVERING).doesNotContain(NodeState.JOINING);
        assertThat(mesh.joinNetwork().requests()).as("no join request was sent").hasSize(requests);
    }

    @Test
    void aSpentTokenStillRefusesARealSecondJoin() {
        mesh.node("lh", b -> b.admission(CredentialAdmission.builder(mesh.store(), "test").clock(clock).build())).join();
        EnrollmentToken token = new EnrollmentTokens(store, StoreKeys.of("test"), clock)
                .create(List.of("workers"), Duration.ofHours(1), 1);
        assertThat(tokenMember(token, new CopyOnWriteArrayList<>()).join().state()).isEqualTo(NodeState.READY);
        // Another node with the same token has no saved certificate: it must join, and is refused.
        NodeStatus other = mesh.node("other", b -> b.publicEndpoint(null)
                .credentials(new EnrollmentTokenCredentials(token)).groups(List.of("workers"))).join();
        assertThat(other.state()).isEqualTo(NodeState.FAILED);
        assertThat(other.detail()).contains("1 joins");
    }

    @Test
    void aRestartedMemberWhoseCertificateExpiredJoinsAgainAndGetsItsOwnAddressBack() {
        mesh.node("lh").join();
        NodeStatus joined = mesh.node("worker", b -> b.publicEndpoint(null)).join();
        int requests = mesh.joinNetwork().requests().size();
        clock.advance(Duration.ofDays(31));
        List<NodeState> states = new CopyOnWriteArrayList<>();
        NodeStatus again = mesh.node("worker", b -> b.publicEndpoint(null).listener((p, n) -> states.add(n.state()))).join();
        assertThat(again.state()).as(again.detail()).isEqualTo(NodeState.READY);
        assertThat(states).contains(NodeState.JOINING);
        assertThat(mesh.joinNetwork().requests()).hasSize(requests + 1);
        assertThat(again.address()).isEqualTo(joined.address());
    }
}
