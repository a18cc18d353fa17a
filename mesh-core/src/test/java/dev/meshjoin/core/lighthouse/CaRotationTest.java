package dev.meshjoin.core.lighthouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.trust.RecordEnvelope;
import dev.meshjoin.core.trust.RecordSignature;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CA rotation: both CAs trusted, lighthouses sign with the new one, the old one retired only when
 * no live certificate needs it.
 */
class CaRotationTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final StoreKeys keys = StoreKeys.of("test");
    private final TestDoubleCertificateAuthorityProvider provider = new TestDoubleCertificateAuthorityProvider(clock);
    private InMemoryBootstrapStore store;
    private MeshHarness mesh;
    private CaRotation rotation;

    @BeforeEach
    void setUp() {
        store = InMemoryBootstrapStore.linearizable(clock);
        mesh = MeshHarness.builder().store(store).clock(clock).caProvider(provider).caKeyCodec(salt -> codec).build();
        rotation = new CaRotation(store, keys, provider, salt -> codec, clock);
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private NetworkView record() {
        return NetworkRecords.read(store, keys).orElseThrow();
    }

    private List<String> trusted() {
        return provider.verifier(record().caBundle()).trusted().stream().map(HostCertificate::fingerprint).toList();
    }

    private MeshNode ready(String name, Consumer<MeshNode.Builder> customise) {
        MeshNode node = mesh.node(name, customise);
        NodeStatus s = node.join();
        assertThat(s.state()).as(name + ": " + s.detail()).isEqualTo(NodeState.READY);
        return node;
    }

    private MemberRecord member(String node) {
        return store.get(keys.member(node)).map(e -> Json.read(e.value(), MemberRecord.class, e.key())).orElseThrow();
    }

    @Test
    void rotationTrustsBothLighthousesSignWithTheNewOneAndRetireWaitsForTheLastOldCertificate() {
        MeshNode founder = ready("founder", b -> { });
        ready("member-a", b -> b.publicEndpoint(null));
        ready("member-b", b -> b.publicEndpoint(null));
        String old = record().caFingerprint();
        assertThat(member("member-a").issuer()).isEqualTo(old);

        CaRotation.Rotated r = rotation.rotate(Duration.ofDays(365));

        assertThat(r.previous()).isEqualTo(old);
        assertThat(record().caFingerprint()).isEqualTo(r.current()).isNotEqualTo(old);
        assertThat(trusted()).containsExactly(old, r.current());
        assertThat(store.get(keys.caKey(r.current()))).as("the new key is sealed in the store").isPresent();
        assertThat(store.get(keys.caKey(old))).as("the old key stays until retired").isPresent();

        // The founder follows the record: it signs with the new CA, its overlay trusts both.
        founder.lighthouseWatch().orElseThrow().round();
        InMemoryOverlayDriver overlay = mesh.overlay("founder");
        assertThat(overlay.current().orElseThrow().caBundlePem()).isEqualTo(record().caBundle());
        ready("member-c", b -> b.publicEndpoint(null));
        assertThat(member("member-c").issuer()).isEqualTo(r.current());

        // founder, member-a and member-b still hold certificates of the old CA.
        assertThatThrownBy(() -> rotation.retire(old))
                .isInstanceOfSatisfying(CaRotation.CaStillInUseException.class, e -> assertThat(e.count()).isEqualTo(3))
                .hasMessageContaining("3 live certificates still need CA " + old)
                .hasMessageContaining("member-a").hasMessageContaining("founder");
        assertThat(trusted()).as("nothing changed").containsExactly(old, r.current());

        // Restarted, each moves to the new CA: the lighthouse re-issues its own, the members join again.
        ready("founder", b -> { });
        ready("member-a", b -> b.publicEndpoint(null));
        assertThatThrownBy(() -> rotation.retire(old)).hasMessageContaining("1 live certificate still needs CA")
                .hasMessageContaining("member-b");
        // Or the old certificate simply expires (30 days).
        clock.advance(Duration.ofDays(31));
        ready("founder", b -> { });
        ready("member-a", b -> b.publicEndpoint(null));
        ready("member-c", b -> b.publicEndpoint(null));

        rotation.retire(old);

        assertThat(trusted()).containsExactly(r.current());
        assertThat(store.get(keys.caKey(old))).as("the retired key is deleted").isEmpty();
        assertThat(member("founder").issuer()).isEqualTo(r.current());
    }

    @Test
    void aLighthouseThatCannotListenAgainAtTheRotationTrustsBothCasAtOnceAndSignsWithTheNewOneAtTheNextRound() {
        AtomicBoolean portHeld = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        MeshNode founder = ready("founder", b -> b.signingServers((at, handler, ca, own) -> {
            if (portHeld.get()) {
                refused.incrementAndGet();
                throw new MeshException("cannot listen for joins on " + at + ": Address already in use");
            }
            return mesh.joinNetwork().start(at, handler, ca, own);
        }));
        CaRotation.Rotated r = rotation.rotate(Duration.ofDays(365));

        portHeld.set(true);
        LighthouseWatch watch = founder.lighthouseWatch().orElseThrow();
        assertThatThrownBy(watch::round).hasMessageContaining("Address already in use");
        // Its own overlay took the new bundle before the lighthouse tried to sign with the new CA.
        assertThat(overlayBundle("founder")).isEqualTo(recordBundle());

        portHeld.set(false);
        watch.round();
        assertThat(refused.get()).as("refused once, while the port was held").isEqualTo(1);
        ready("member-c", b -> b.publicEndpoint(null));
        assertThat(member("member-c").issuer()).as("signed by the new CA").isEqualTo(r.current());
        assertThat(mesh.overlay("founder").startedConfigs()).as("reloaded, never restarted").hasSize(1);
    }

    /** The CAs whose signatures the stored value of {@code key} carries. */
    private List<String> signedBy(String key) {
        return RecordEnvelope.open(key, store.get(key).orElseThrow().value()).signatures().stream()
                .map(RecordSignature::by).toList();
    }

    /** The CA bundle a node's overlay runs with, as text (a failure shows the PEM, not bytes). */
    private String overlayBundle(String node) {
        return new String(mesh.overlay(node).current().orElseThrow().caBundlePem(), StandardCharsets.US_ASCII);
    }

    private String recordBundle() {
        return new String(record().caBundle(), StandardCharsets.US_ASCII);
    }

    @Test
    void aRecordThatAnotherHolderOfThePassphraseWritesAfterTheRotationIsSignedByBothCasSoANodeTrustingTheOldOneReadsIt() {
        MeshNode founder = ready("founder", b -> { });
        String old = record().caFingerprint();
        CaRotation.Rotated r = rotation.rotate(Duration.ofDays(365));
        assertThat(signedBy(keys.network())).containsExactlyInAnyOrder(old, r.current());

        // A node that may serve writes the record again (here: to add the MAC) before the founder has
        // read the rotated one; it opens the CA keys when it first signs, the old one too.
        BootstrapStore another = CaVault.trustedView(store, keys, provider, salt -> codec);
        assertThat(NetworkRecords.reseal(another, keys)).isTrue();
        assertThat(signedBy(keys.network())).as("signed by every CA of the bundle whose key is sealed")
                .containsExactlyInAnyOrder(old, r.current());

        // The founder, which trusts only the old CA so far, reads it and takes the new bundle.
        founder.lighthouseWatch().orElseThrow().round();
        assertThat(overlayBundle("founder")).isEqualTo(recordBundle());
    }

    @Test
    void renewalsMoveEveryNodeToTheNewCaWithoutARestartThroughTheStateDocument() {
        MeshNode founder = ready("founder", b -> { });
        MeshNode member = ready("member-a", b -> b.publicEndpoint(null));
        String old = record().caFingerprint();
        CaRotation.Rotated r = rotation.rotate(Duration.ofDays(365));
        founder.lighthouseWatch().orElseThrow().round();

        // The member, which never reads the store, trusts both CAs after one poll; its certificate stays.
        member.follower().orElseThrow().tick();
        InMemoryOverlayDriver overlay = mesh.overlay("member-a");
        assertThat(overlay.current().orElseThrow().caBundlePem()).isEqualTo(record().caBundle());
        assertThat(member.certificate().orElseThrow().issuer()).isEqualTo(old);

        // Two thirds into their 30-day certificates both renew, under the new CA.
        clock.advance(Duration.ofDays(20).plusMinutes(1));
        founder.follower().orElseThrow().tick();
        member.follower().orElseThrow().tick();
        HostCertificate renewed = member.follower().orElseThrow().certificate();
        assertThat(renewed.issuer()).isEqualTo(r.current());
        assertThat(founder.follower().orElseThrow().certificate().issuer()).isEqualTo(r.current());
        assertThat(overlay.current().orElseThrow().certificatePem()).isEqualTo(renewed.pem());
        assertThat(member("member-a").issuer()).isEqualTo(r.current());
        assertThat(overlay.startedConfigs()).as("reloaded, never restarted").hasSize(1);
        assertThat(mesh.overlay("founder").startedConfigs()).hasSize(1);

        // Nobody needs the old CA any more: retired, and the member's overlay drops it at its next poll.
        rotation.retire(old);
        founder.lighthouseWatch().orElseThrow().round();
        member.follower().orElseThrow().tick();
        assertThat(trusted()).containsExactly(r.current());
        assertThat(overlay.current().orElseThrow().caBundlePem()).isEqualTo(record().caBundle());
        assertThat(mesh.overlay("founder").current().orElseThrow().caBundlePem()).isEqualTo(record().caBundle());
    }

    @Test
    void theSigningCaCannotBeRetiredNorAnUnknownOne() {
        ready("founder", b -> { });
        String current = record().caFingerprint();
        assertThatThrownBy(() -> rotation.retire(current)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("is the network's signing CA; rotate first");
        assertThatThrownBy(() -> rotation.retire("00ff")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("is not in the bundle").hasMessageContaining(current);
        assertThat(trusted()).containsExactly(current);
    }

    @Test
    void aWrongPassphraseChangesNothing() {
        ready("founder", b -> { });
        byte[] before = store.get(keys.network()).orElseThrow().value();
        AesGcmTestCodec other = AesGcmTestCodec.random();
        CaRotation wrong = new CaRotation(store, keys, provider, salt -> other, clock);
        assertThatThrownBy(() -> wrong.rotate(Duration.ofDays(30))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("passphrase");
        assertThat(Arrays.equals(store.get(keys.network()).orElseThrow().value(), before)).isTrue();
        assertThat(store.list(keys.root() + "ca/")).hasSize(1);
    }
}
