package dev.meshjoin.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.ForwardingStore;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The binder on real nodes of the in-process mesh: joins, renewal, overlay restarts, store requests. */
class MeshNodeMetricsTest {
    private static final Duration VALIDITY = Duration.ofHours(3);
    private static final AesGcmTestCodec CODEC = AesGcmTestCodec.random();
    private final MutableClock clock = MutableClock.startingNow();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final MeshHarness mesh = MeshHarness.builder().store(store).clock(clock)
            .caProvider(new TestDoubleCertificateAuthorityProvider(clock))
            .caKeyCodec(salt -> CODEC).build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private MeshNode metered(String name, MeshNodeMetrics metrics, boolean serves) {
        MeshNode node = mesh.node(name, b -> {
            b.listener(metrics).events(metrics).store(metrics.timed(store.client(name))).certificateValidity(VALIDITY);
            if (!serves) {
                b.publicEndpoint(null);
            }
        });
        metrics.watch(node).bindTo(registry);
        return node;
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void aFounderAndAMemberReportStateJoinCertificateRenewalAndStoreRequests() {
        MeshNodeMetrics lhMetrics = new MeshNodeMetrics(Tags.of("node", "lh"), clock);
        MeshNode lh = metered("lh", lhMetrics, true);
        assertThat(gauge(MeshNodeMetrics.STATE, "node", "lh", "state", "NEW")).isEqualTo(1);
        assertThat(gauge(MeshNodeMetrics.CERTIFICATE_EXPIRY, "node", "lh")).as("no certificate yet").isNaN();
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);

        MeshNodeMetrics wMetrics = new MeshNodeMetrics(Tags.of("node", "w"), clock);
        MeshNode w = metered("w", wMetrics, false);
        assertThat(w.join().state()).isEqualTo(NodeState.READY);

        assertThat(gauge(MeshNodeMetrics.STATE, "node", "w", "state", "READY")).isEqualTo(1);
        assertThat(gauge(MeshNodeMetrics.STATE, "node", "w", "state", "JOINING")).isZero();
        Timer joined = registry.get(MeshNodeMetrics.JOIN_DURATION).tags("node", "w", "outcome", "READY").timer();
        assertThat(joined.count()).isEqualTo(1);
        assertThat(joined.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(gauge(MeshNodeMetrics.CERTIFICATE_EXPIRY, "node", "w"))
                .isCloseTo(VALIDITY.toSeconds(), org.assertj.core.data.Offset.offset(2.0));
        assertThat(gauge(MeshNodeMetrics.SERVING, "node", "lh")).isEqualTo(1);
        assertThat(gauge(MeshNodeMetrics.SERVING, "node", "w")).isZero();
        assertThat(gauge(MeshNodeMetrics.LIVE_MEMBERS, "node", "w")).as("a member is no lighthouse").isNaN();
        w.follower().orElseThrow().tick();
        assertThat(gauge(MeshNodeMetrics.LIVE_MEMBERS, "node", "lh")).as("w polled lh").isGreaterThanOrEqualTo(1);

        // The founder wrote its network record with put-if-absent; the member only read it.
        assertThat(registry.get(TimedBootstrapStore.REQUESTS)
                .tags("node", "lh", "operation", "put-if-absent", "outcome", "written").timer().count()).isPositive();
        assertThat(registry.get(TimedBootstrapStore.REQUESTS)
                .tags("node", "w", "operation", "get", "outcome", "found").timer().count()).isPositive();

        clock.advance(VALIDITY.multipliedBy(3).dividedBy(4));
        w.follower().orElseThrow().tick();
        assertThat(counter(MeshNodeMetrics.RENEWALS, "node", "w")).isEqualTo(1);
        assertThat(gauge(MeshNodeMetrics.CERTIFICATE_EXPIRY, "node", "w"))
                .as("the renewed certificate's").isCloseTo(VALIDITY.toSeconds(), org.assertj.core.data.Offset.offset(2.0));
    }

    @Test
    void aRestartedOverlayAndARejoinAreCountedAndTimedAgain() {
        MeshNodeMetrics m = new MeshNodeMetrics(Tags.of("node", "lh"), clock);
        MeshNode lh = metered("lh", m, true);
        lh.join();
        assertThat(counter(MeshNodeMetrics.OVERLAY_RESTARTS, "node", "lh")).isZero();
        lh.close();
        assertThat(gauge(MeshNodeMetrics.STATE, "node", "lh", "state", "LEFT")).isEqualTo(1);
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        assertThat(counter(MeshNodeMetrics.OVERLAY_RESTARTS, "node", "lh")).isEqualTo(1);
        assertThat(registry.get(MeshNodeMetrics.JOIN_DURATION).tags("outcome", "READY").timer().count()).isEqualTo(2);
    }

    @Test
    void joinDecisionsAreCountedByReasonAndEveryKnownReasonIsThereFromTheStart() {
        MeshNodeMetrics m = new MeshNodeMetrics();
        m.bindTo(registry);
        assertThat(counter(MeshNodeMetrics.REFUSALS, "reason", "token-expired")).isZero();
        m.joinDecided("admitted", "ok");
        m.joinDecided("admitted", "ok");
        m.joinDecided("refused", "bad-credential");
        m.joinDecided("rate-limited", "rate-limited");
        m.joinDecided("refused", "method-not-allowed");
        assertThat(counter(MeshNodeMetrics.ADMISSIONS)).isEqualTo(2);
        assertThat(counter(MeshNodeMetrics.REFUSALS, "reason", "bad-credential")).isEqualTo(1);
        assertThat(counter(MeshNodeMetrics.REFUSALS, "reason", "rate-limited")).isEqualTo(1);
        assertThat(counter(MeshNodeMetrics.REFUSALS, "reason", "method-not-allowed")).isEqualTo(1);
        assertThat(counter(MeshNodeMetrics.REFUSALS, "reason", "revoked")).isZero();
    }

    @Test
    void aStoreThatFailsIsTimedAsErrorAndTheFailurePassesThrough() {
        MeshNodeMetrics m = new MeshNodeMetrics();
        SimpleMeterRegistry late = new SimpleMeterRegistry();
        var failing = m.timed(new ForwardingStore(store) {
            @Override
            public Optional<dev.meshjoin.api.store.Entry> get(String key) {
                throw new StoreException("memory", "get", "the store is down", true);
            }
        });
        m.bindTo(late);
        assertThatThrownBy(() -> failing.get("k")).isInstanceOf(StoreException.class).hasMessageContaining("down");
        assertThat(failing.putIfAbsent("k", new byte[] {1})).isPresent();
        assertThat(failing.putIfAbsent("k", new byte[] {2})).isEmpty();
        assertThat(late.get(TimedBootstrapStore.REQUESTS).tags("operation", "get", "outcome", "error").timer().count())
                .isEqualTo(1);
        assertThat(late.get(TimedBootstrapStore.REQUESTS).tags("operation", "put-if-absent", "outcome", "written")
                .timer().count()).isEqualTo(1);
        assertThat(late.get(TimedBootstrapStore.REQUESTS).tags("operation", "put-if-absent", "outcome", "conflict")
                .timer().count()).isEqualTo(1);
        assertThat(failing.retriesItself()).isEqualTo(store.retriesItself());
        assertThat(failing.name()).isEqualTo(store.name());
    }
}
