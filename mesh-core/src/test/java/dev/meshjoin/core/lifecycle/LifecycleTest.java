package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.record.IssuedCertificates;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.RevocationList;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Renewal, revocation and following the network state, on the in-process mesh with a clock the test moves. */
class LifecycleTest {
    private static final Duration VALIDITY = Duration.ofHours(3);
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final TestDoubleCertificateAuthorityProvider ca = new TestDoubleCertificateAuthorityProvider(clock);
    private MeshHarness mesh;
    private InMemoryBootstrapStore store;

    @BeforeEach
    void setUp() {
        store = InMemoryBootstrapStore.linearizable(clock);
        mesh = MeshHarness.builder().store(store).clock(clock).caProvider(ca).caKeyCodec(salt -> codec).build();
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private MeshNode member(String name) {
        MeshNode n = mesh.node(name, b -> b.publicEndpoint(null).certificateValidity(VALIDITY));
        NodeStatus s = n.join();
        assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY);
        return n;
    }

    private MeshNode founder() {
        MeshNode lh = mesh.node("lh", b -> b.certificateValidity(VALIDITY));
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        return lh;
    }

    private static void tick(MeshNode n) {
        n.follower().orElseThrow().tick();
    }

    @Test
    void aMemberRenewsAtTwoThirdsOverTheStateServiceAndTheOverlayReloadsWithoutARestart() throws Exception {
        MeshNode lh = founder();
        MeshNode w = member("worker");
        HostCertificate first = w.certificate().orElseThrow();
        // Backdated by the replay window, so that a joiner whose clock is behind still accepts it.
        assertThat(Duration.between(first.notBefore(), first.notAfter()))
                .isEqualTo(VALIDITY.plus(dev.meshjoin.api.ca.CertificateAuthority.BACKDATE));

        clock.advance(Duration.ofMinutes(119));
        tick(w);
        assertThat(w.follower().orElseThrow().certificate()).as("not due before two thirds").isEqualTo(first);
        clock.advance(Duration.ofMinutes(2));
        tick(w);

        HostCertificate renewed = w.follower().orElseThrow().certificate();
        assertThat(renewed.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(renewed.addresses()).isEqualTo(first.addresses());
        assertThat(renewed.name()).isEqualTo("worker");
        assertThat(renewed.publicKey()).as("the key is kept").isEqualTo(first.publicKey());
        assertThat(renewed.notAfter()).isBetween(clock.instant().plus(VALIDITY).minusSeconds(1),
                clock.instant().plus(VALIDITY));
        assertThat(w.certificate()).contains(renewed);
        assertThat(mesh.overlay("worker").startedConfigs()).as("never restarted").hasSize(1);
        OverlayConfig running = mesh.overlay("worker").current().orElseThrow();
        assertThat(running.certificatePem()).isEqualTo(renewed.pem());
        assertThat(Files.readAllBytes(mesh.stateDirectory("worker").resolve("host.crt"))).isEqualTo(renewed.pem());
        MemberRecord rec = Json.read(store.get("mesh/test/members/worker").orElseThrow().value(), MemberRecord.class, "m");
        assertThat(rec.certificateFingerprint()).isEqualTo(renewed.fingerprint());
        IssuedCertificates issued = Json.read(store.get("mesh/test/certs/worker").orElseThrow().value(),
                IssuedCertificates.class, "c");
        assertThat(issued.certificates()).extracting(IssuedCertificates.Issued::fingerprint)
                .containsExactly(first.fingerprint(), renewed.fingerprint());

        // The lighthouse renews itself the same way, through its own state service.
        HostCertificate lhFirst = lh.certificate().orElseThrow();
        tick(lh);
        assertThat(lh.certificate().orElseThrow().fingerprint()).isNotEqualTo(lhFirst.fingerprint());
        assertThat(lh.certificate().orElseThrow().groups()).contains("lighthouse");
        assertThat(mesh.overlay("lh").startedConfigs()).hasSize(1);
    }

    @Test
    void anUnchangedStateIsAnsweredNotModifiedAndWritesNothing() {
        MeshNode lh = founder();
        MeshNode w = member("worker");
        long[] before = w.follower().orElseThrow().counts();
        var ops = store.operationCounts();
        tick(w);
        tick(w);
        long[] after = w.follower().orElseThrow().counts();
        assertThat(after[0] - before[0]).isEqualTo(2);
        assertThat(after[1] - before[1]).as("answered 304").isEqualTo(2);
        assertThat(after[2]).as("no reload").isEqualTo(before[2]);
        var now = store.operationCounts();
        for (String op : List.of("putIfAbsent", "compareAndSet", "delete", "get", "list")) {
            assertThat(now.getOrDefault(op, 0L)).as(op).isEqualTo(ops.getOrDefault(op, 0L));
        }
        assertThat(lh.status().state()).isEqualTo(NodeState.READY);
    }

    @Test
    void aRevokedNodeIsBlockedEverywhereRefusedItsRenewalAndItsRestart() throws Exception {
        MeshNode lh = founder();
        MeshNode victim = member("victim");
        MeshNode other = member("other");
        clock.advance(Duration.ofMinutes(121));
        tick(victim);
        HostCertificate old = victim.certificate().orElseThrow();
        assertThat(mesh.overlay("victim").current().orElseThrow().certificatePem()).isEqualTo(old.pem());
        List<String> fingerprints = Json.read(store.get("mesh/test/certs/victim").orElseThrow().value(),
                IssuedCertificates.class, "c").certificates().stream().map(IssuedCertificates.Issued::fingerprint).toList();
        assertThat(fingerprints).hasSize(2);

        assertThatThrownBy(() -> Revoker.builder(store, "test").certificateAuthorities(ca)
                .caKeyCodec(salt -> AesGcmTestCodec.random()).clock(clock).build().revoke("victim"))
                .isInstanceOf(MeshException.class).hasMessageContaining("passphrase");
        RevocationList.Revoked r = Revoker.builder(store, "test").certificateAuthorities(ca).caKeyCodec(salt -> codec)
                .clock(clock).build().revoke("victim");
        assertThat(r.fingerprints()).containsExactlyInAnyOrderElementsOf(fingerprints);
        assertThat(r.holdUntil()).isBetween(old.notAfter(), old.notAfter().plusSeconds(1));

        tick(lh);
        tick(other);
        assertThat(mesh.overlay("other").current().orElseThrow().blocklist())
                .containsExactlyInAnyOrderElementsOf(fingerprints);
        assertThat(mesh.overlay("lh").current().orElseThrow().blocklist())
                .containsExactlyInAnyOrderElementsOf(fingerprints);
        assertThat(mesh.overlay("other").startedConfigs()).hasSize(1);

        tick(victim);
        assertThat(victim.follower().orElseThrow().refusal()).get().asString().contains("victim was revoked");
        clock.advance(Duration.ofMinutes(121));
        tick(victim);
        assertThat(victim.follower().orElseThrow().certificate()).as("no renewal for a revoked node").isEqualTo(old);

        NodeStatus restarted = mesh.node("victim", b -> b.publicEndpoint(null)).join();
        assertThat(restarted.state()).isEqualTo(NodeState.FAILED);
        assertThat(restarted.detail()).contains("victim was revoked");
        NodeStatus fresh = mesh.node("victim-2", b -> b.publicEndpoint(null)
                .stateDirectory(mesh.stateDirectory("victim"))).join();
        assertThat(fresh.state()).as("its key is refused under another name").isEqualTo(NodeState.FAILED);
        assertThat(fresh.detail()).contains("was revoked");
        assertThat(store.get("mesh/test/ip-node/victim")).as("its address stays held").isPresent();
    }

    @Test
    void aLighthouseIsNotRevokedAndTheRefusalSaysWhyAndWhatToDo() {
        MeshNode lh = founder();
        MeshNode w = member("worker");
        assertThatThrownBy(() -> Revoker.builder(store, "test").certificateAuthorities(ca).caKeyCodec(salt -> codec)
                .clock(clock).build().revoke("lh"))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("lh is a lighthouse of test and was not revoked")
                .hasMessageContaining("CA passphrase").hasMessageContaining("Stop it for good");
        assertThat(Revoker.list(store, "test")).as("nothing recorded").isEmpty();
        tick(lh);
        tick(w);
        assertThat(mesh.overlay("worker").current().orElseThrow().blocklist()).isEmpty();
    }

    @Test
    void aMemberOfflinePastItsExpiryJoinsAgainWithItsCredentialAndKeepsItsAddress() {
        founder();
        MeshNode w = member("worker");
        HostCertificate first = w.certificate().orElseThrow();
        mesh.joinNetwork().offline(first.address(), true);
        clock.advance(VALIDITY.minusMinutes(1));
        int requests = mesh.joinNetwork().requests().size();
        tick(w);
        HostCertificate again = w.follower().orElseThrow().certificate();
        assertThat(again.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(again.address()).isEqualTo(first.address());
        assertThat(mesh.joinNetwork().requests()).as("one join request").hasSize(requests + 1);
        assertThat(Arrays.equals(mesh.overlay("worker").current().orElseThrow().certificatePem(), again.pem())).isTrue();
    }

    @Test
    void aNewLighthouseReachesEveryMemberWithinOnePoll() {
        MeshNode lh = founder();
        MeshNode w = member("worker");
        assertThat(mesh.overlay("worker").current().orElseThrow().lighthouses()).hasSize(1);
        MeshNode second = mesh.node("lh-2", b -> b.lighthouse(true));
        assertThat(second.join().state()).isEqualTo(NodeState.READY);
        for (int i = 0; i < 12; i++) {
            tick(lh);
        }
        tick(w);
        assertThat(mesh.overlay("worker").current().orElseThrow().lighthouses())
                .extracting(dev.meshjoin.api.overlay.Lighthouse::name).containsExactlyInAnyOrder("lh", "lh-2");
        assertThat(mesh.overlay("worker").startedConfigs()).hasSize(1);
        assertThat(StoreKeys.of("test").revocations()).isEqualTo("mesh/test/revocations");
    }

    @Test
    void aMemberNeverDropsALighthouseBecauseAnotherLighthouseServesAnOlderRecord() {
        MeshNode lh = founder();
        MeshNode second = mesh.node("lh-2", b -> b.lighthouse(true));
        assertThat(second.join().state()).isEqualTo(NodeState.READY);
        // The founder's state service still serves the record it read before lh-2 came (it reads the
        // record every 12th refresh); a member joining now reads the record with both.
        MeshNode w = member("worker");
        assertThat(mesh.overlay("worker").current().orElseThrow().lighthouses()).hasSize(2);
        for (int i = 0; i < 16; i++) {
            // Each poll goes to one of the two, in random order: the founder's older document among them.
            tick(w);
            assertThat(mesh.overlay("worker").current().orElseThrow().lighthouses())
                    .extracting(dev.meshjoin.api.overlay.Lighthouse::name).as("after poll " + i)
                    .containsExactly("lh", "lh-2");
        }
        assertThat(w.follower().orElseThrow().document().orElseThrow().state().lighthouses()).isNotEmpty();
        assertThat(mesh.overlay("worker").startedConfigs()).hasSize(1);
    }
}
