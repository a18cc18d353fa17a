package dev.meshjoin.core.lighthouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.election.FounderElection;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lighthouses that come and go, decided with the in-memory store and overlay and a clock the test
 * moves: a lighthouse not seen for the grace time is marked down, a public member promotes itself
 * while the network is short, one node at a time, and overlays follow the record.
 */
class LighthousesComeAndGoTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final StoreKeys keys = StoreKeys.of("test");
    private InMemoryBootstrapStore store;
    private MeshHarness mesh;

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

    private NetworkView record() {
        return NetworkRecords.read(store, keys).orElseThrow();
    }

    private MeshNode ready(String name, java.util.function.Consumer<MeshNode.Builder> customise) {
        MeshNode node = mesh.node(name, customise);
        NodeStatus s = node.join();
        assertThat(s.state()).as(name + ": " + s.detail()).isEqualTo(NodeState.READY);
        return node;
    }

    private LighthouseWatch watchOf(MeshNode node) {
        return node.lighthouseWatch().orElseThrow(() -> new AssertionError(node.nodeName() + " has no lighthouse watch"));
    }

    @Test
    void aLighthouseNotSeenForTheGraceTimeIsMarkedDownAndLiveAgainOnceItAnswers() {
        MeshNode founder = ready("founder", b -> { });
        MeshNode second = ready("second", b -> b.lighthouse(true));
        assertThat(record().liveLighthouses()).extracting(NetworkView.LighthouseView::name)
                .containsExactlyInAnyOrder("founder", "second");
        LighthouseWatch watch = watchOf(second);
        assertThat(watch.round().markedDown()).isEmpty();

        java.time.Instant lastSeen = clock.instant();
        founder.close();
        clock.advance(Duration.ofMinutes(9).plusSeconds(59));
        assertThat(watch.round().markedDown()).as("within the grace time").isEmpty();
        assertThat(record().lighthouse("founder").orElseThrow().live()).isTrue();

        clock.advance(Duration.ofSeconds(1));
        LighthouseWatch.Round r = watch.round();
        assertThat(r.markedDown()).containsExactly("founder");
        assertThat(record().lighthouse("founder").orElseThrow().downSince()).isEqualTo(lastSeen);
        assertThat(record().liveLighthouses()).extracting(NetworkView.LighthouseView::name).containsExactly("second");
        assertThat(watch.round().markedDown()).as("marked once").isEmpty();

        ready("founder", b -> { });
        assertThat(watch.round().markedUp()).containsExactly("founder");
        assertThat(record().lighthouse("founder").orElseThrow().live()).isTrue();
    }

    @Test
    void aPublicMemberPromotesItselfWhileFewerThanTheTargetAreLiveKeepingItsAddress() {
        ready("founder", b -> { });
        MeshNode member = ready("member", b -> { });
        String address = member.status().address().orElseThrow().toString();
        assertThat(record().isLighthouse("member")).isFalse();
        InMemoryOverlayDriver overlay = mesh.overlay("member");
        assertThat(overlay.current().orElseThrow().lighthouse()).isFalse();

        LighthouseWatch.Round r = watchOf(member).round();

        assertThat(r.promotion()).isEqualTo(LighthouseWatch.Promotion.PROMOTED);
        assertThat(record().liveLighthouses()).extracting(NetworkView.LighthouseView::name)
                .containsExactlyInAnyOrder("founder", "member");
        assertThat(member.status().state()).isEqualTo(NodeState.READY);
        assertThat(member.status().address().orElseThrow().toString()).isEqualTo(address);
        assertThat(member.signingEndpoint()).isPresent();
        assertThat(mesh.joinNetwork().listening()).contains(member.signingEndpoint().get());
        OverlayConfig now = overlay.current().orElseThrow();
        assertThat(now.lighthouse()).as("the overlay runs as lighthouse").isTrue();
        assertThat(member.certificate().orElseThrow().groups()).contains(Lighthouse.GROUP);
        assertThat(store.get(keys.promotionClaim())).as("the claim is released").isEmpty();

        // The network is at strength now: the next public member stays a member.
        MeshNode third = ready("third", b -> { });
        assertThat(watchOf(third).round().promotion()).isEqualTo(LighthouseWatch.Promotion.NOT_NEEDED);
        assertThat(record().lighthouses()).hasSize(2);
        // And a joiner can be admitted by the promoted lighthouse alone.
        mesh.node("founder").close();
        ready("fourth", b -> b.publicEndpoint(null));
    }

    @Test
    void aClaimHeldByAnotherNodeStopsThePromotionUntilItsLeaseRunsOut() {
        ready("founder", b -> { });
        MeshNode member = ready("member", b -> { });
        FounderElection other = new FounderElection(store, keys.promotionClaim(), "elsewhere", Duration.ofMinutes(2), clock);
        assertThat(other.tryClaim()).isPresent();

        assertThat(watchOf(member).round().promotion()).isEqualTo(LighthouseWatch.Promotion.CLAIMED_ELSEWHERE);
        assertThat(record().isLighthouse("member")).isFalse();

        clock.advance(Duration.ofMinutes(2).plusSeconds(1));
        assertThat(watchOf(member).round().promotion()).isEqualTo(LighthouseWatch.Promotion.PROMOTED);
        assertThat(record().isLighthouse("member")).isTrue();
    }

    @Test
    void ofManyCandidatesAtOnceExactlyOnePromotesItself() throws Exception {
        ready("founder", b -> { });
        List<MeshNode> candidates = List.of(ready("c-0", b -> { }), ready("c-1", b -> { }), ready("c-2", b -> { }),
                ready("c-3", b -> { }));
        List<LighthouseWatch.Promotion> outcomes = Concurrently.run(candidates.size(),
                i -> () -> watchOf(candidates.get(i)).round().promotion());

        assertThat(outcomes.stream().filter(o -> o == LighthouseWatch.Promotion.PROMOTED).count())
                .as(outcomes.toString()).isEqualTo(1);
        assertThat(outcomes).doesNotContain(LighthouseWatch.Promotion.FAILED);
        assertThat(record().lighthouses()).hasSize(2);
        for (MeshNode c : candidates) {
            assertThat(watchOf(c).round().promotion()).as("afterwards").isEqualTo(LighthouseWatch.Promotion.NOT_NEEDED);
        }
    }

    @Test
    void aLighthouseDownForTheGraceTimeIsReplacedByAPromotion() {
        MeshNode founder = ready("founder", b -> { });
        ready("second", b -> b.lighthouse(true));
        MeshNode spare = ready("spare", b -> { });
        assertThat(watchOf(spare).round().promotion()).isEqualTo(LighthouseWatch.Promotion.NOT_NEEDED);

        founder.close();
        clock.advance(Duration.ofMinutes(10));
        LighthouseWatch.Round r = watchOf(spare).round();

        assertThat(r.markedDown()).containsExactly("founder");
        assertThat(r.promotion()).isEqualTo(LighthouseWatch.Promotion.PROMOTED);
        assertThat(record().liveLighthouses()).extracting(NetworkView.LighthouseView::name)
                .containsExactlyInAnyOrder("second", "spare");
    }

    @Test
    void aNodeThatMayServeReloadsItsOverlayWhenALighthouseIsAdded() {
        ready("founder", b -> { });
        MeshNode member = ready("member", b -> b.lighthouseWatch(new LighthouseWatch.Settings(Duration.ofHours(1),
                Duration.ofMinutes(10), 1, Duration.ofMinutes(2))));
        InMemoryOverlayDriver overlay = mesh.overlay("member");
        assertThat(overlay.current().orElseThrow().lighthouses()).hasSize(1);
        assertThat(watchOf(member).round().promotion()).isEqualTo(LighthouseWatch.Promotion.NOT_NEEDED);
        assertThat(overlay.reloadedConfigs()).as("nothing changed yet").isEmpty();

        ready("second", b -> b.lighthouse(true));
        watchOf(member).round();

        assertThat(overlay.reloadedConfigs()).hasSize(1);
        assertThat(overlay.current().orElseThrow().lighthouses().stream().map(l -> l.name()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("founder", "second");
        assertThat(overlay.stopCount()).as("reloaded, not restarted").isZero();
    }

    @Test
    void aMemberWithoutAPublicEndpointRunsNoWatch() {
        ready("founder", b -> { });
        MeshNode member = ready("member", b -> b.publicEndpoint(null));
        assertThat(member.lighthouseWatch()).isEmpty();
    }

    @Test
    void aChangeTheHostFailedToApplyIsOfferedAgainNextRoundAndOnlyUntilItIsTaken() {
        ready("founder", b -> { });
        NetworkView joined = record();
        List<String> offered = new ArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        LighthouseWatch.Host host = new LighthouseWatch.Host() {
            @Override
            public void networkChanged(NetworkView before, NetworkView now) {
                offered.add(before.lighthouses().size() + "->" + now.lighthouses().size());
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new MeshException("cannot listen for joins on 127.0.0.1:4243: in use");
                }
            }

            @Override
            public boolean promote(NetworkView network) {
                throw new AssertionError("a network with its one lighthouse live needs no promotion");
            }
        };
        LighthouseWatch watch = new LighthouseWatch(store, keys, "observer", clock,
                new LighthouseWatch.Settings(Duration.ofHours(1), Duration.ofMinutes(10), 1, Duration.ofMinutes(2)),
                lh -> true, host, joined);
        assertThat(watch.round().promotion()).isEqualTo(LighthouseWatch.Promotion.NOT_NEEDED);
        assertThat(offered).as("no change yet").isEmpty();

        ready("second", b -> b.lighthouse(true));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(watch::round).hasMessageContaining("in use");
        }
        assertThat(watch.round().network().lighthouses()).hasSize(2);
        assertThat(watch.round().promotion()).isEqualTo(LighthouseWatch.Promotion.NOT_NEEDED);

        assertThat(offered).as("the same change, against the record the host last took, until it is taken")
                .containsExactly("1->2", "1->2", "1->2");
    }
}
