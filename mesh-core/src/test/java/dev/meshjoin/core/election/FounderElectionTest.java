package dev.meshjoin.core.election;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.core.ForwardingStore;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.retry.RetryingBootstrapStore;
import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FounderElectionTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final StoreKeys keys = StoreKeys.of("test");

    private FounderElection election(BootstrapStore s, String node) {
        return new FounderElection(s, keys, node, Duration.ofSeconds(30), clock);
    }

    @Test
    void thirtyTwoConcurrentClaimantsElectExactlyOne() throws Exception {
        List<Optional<FounderElection.Claim>> won = Concurrently.run(32,
                i -> () -> election(store, "node-" + i).tryClaim());

        List<FounderElection.Claim> winners = won.stream().flatMap(Optional::stream).toList();
        assertThat(winners).hasSize(1);
        assertThat(election(store, "observer").current().orElseThrow().node()).isEqualTo(winners.get(0).claim().node());
    }

    @Test
    void aLiveClaimBlocksOthersUntilItsLeaseRunsOut() {
        FounderElection a = election(store, "a");
        FounderElection b = election(store, "b");
        assertThat(a.tryClaim()).isPresent();

        clock.advance(Duration.ofSeconds(29));
        assertThat(b.tryClaim()).as("a's lease is still live").isEmpty();

        clock.advance(Duration.ofSeconds(2));
        Optional<FounderElection.Claim> taken = b.tryClaim();
        assertThat(taken).as("a died mid-bootstrap; its lease ran out").isPresent();
        assertThat(a.current().orElseThrow().node()).isEqualTo("b");
    }

    @Test
    void theSameNodeTakesOverItsOwnEarlierClaimAfterARestart() {
        FounderElection.Claim before = election(store, "a").tryClaim().orElseThrow();

        FounderElection.Claim after = election(store, "a").tryClaim().orElseThrow();

        assertThat(after.claim().token()).isNotEqualTo(before.claim().token());
        assertThat(after.version()).isGreaterThan(before.version());
        assertThat(election(store, "b").tryClaim()).isEmpty();
    }

    @Test
    void aClaimWhoseWriteLandedBeforeItsErrorIsRecognisedAsOurs() {
        AtomicBoolean failedOnce = new AtomicBoolean();
        BootstrapStore landsThenFails = new ForwardingStore(store) {
            @Override
            public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
                Optional<Entry> written = delegate.putIfAbsent(key, value, ttl);
                if (failedOnce.compareAndSet(false, true)) {
                    throw new StoreException(name(), "putIfAbsent " + key, "connection reset after the write", true);
                }
                return written;
            }
        };
        BootstrapStore retrying = RetryingBootstrapStore.wrap(landsThenFails,
                RetryPolicy.exponential(Duration.ZERO, Duration.ZERO, 3));

        Optional<FounderElection.Claim> claim = election(retrying, "a").tryClaim();

        assertThat(failedOnce).isTrue();
        assertThat(claim).as("the retry saw a conflict with its own write").isPresent();
        assertThat(claim.get().version()).isEqualTo(store.get(keys.founderClaim()).orElseThrow().version());
    }

    @Test
    void renewingExtendsTheLeaseAndFailsOnceTheClaimWasLost() {
        FounderElection a = election(store, "a");
        FounderElection.Claim held = a.tryClaim().orElseThrow();
        clock.advance(Duration.ofSeconds(20));

        FounderElection.Claim renewed = a.renew(held).orElseThrow();
        assertThat(renewed.claim().leaseUntil()).isEqualTo(clock.instant().plus(Duration.ofSeconds(30)));
        assertThat(renewed.claim().token()).isEqualTo(held.claim().token());
        clock.advance(Duration.ofSeconds(20));
        assertThat(election(store, "b").tryClaim()).as("the renewed lease is still live").isEmpty();

        assertThat(a.renew(held)).as("the old version no longer matches").isEmpty();
        clock.advance(Duration.ofSeconds(31));
        assertThat(election(store, "b").tryClaim()).isPresent();
        assertThat(a.stillHeld(renewed)).isFalse();
        assertThat(a.renew(renewed)).isEmpty();
    }

    @Test
    void releasingAClaimSomeoneElseNowHoldsLeavesTheirsAlone() {
        FounderElection a = election(store, "a");
        FounderElection.Claim stale = a.tryClaim().orElseThrow();
        clock.advance(Duration.ofSeconds(31));
        FounderElection.Claim bs = election(store, "b").tryClaim().orElseThrow();

        a.release(stale);

        assertThat(a.current().orElseThrow().token()).isEqualTo(bs.claim().token());
        election(store, "b").release(bs);
        assertThat(a.current()).isEmpty();
    }

    @Test
    void theLeaseIsNeverShorterThanTheStoresMinimumTimeToLive() {
        BootstrapStore slowTtl = new ForwardingStore(store) {
            @Override
            public Duration minTtl() {
                return Duration.ofSeconds(60);
            }
        };
        FounderElection a = new FounderElection(slowTtl, keys, "a", Duration.ofSeconds(5), clock);

        assertThat(a.lease()).isEqualTo(Duration.ofSeconds(60));
        a.tryClaim().orElseThrow();
        clock.advance(Duration.ofSeconds(59));
        assertThat(election(store, "b").tryClaim()).isEmpty();
    }

    @Test
    void onAnEventualStoreRenewingKeepsTheAdvisoryClaimUnwritten() {
        InMemoryBootstrapStore eventual = InMemoryBootstrapStore.eventual(Duration.ofSeconds(2), clock);
        FounderElection a = election(eventual, "a");
        FounderElection.Claim held = a.tryClaim().orElseThrow();
        long writes = eventual.operationCounts().getOrDefault("compareAndSet", 0L);

        assertThat(a.renew(held)).contains(held);
        assertThat(eventual.operationCounts().getOrDefault("compareAndSet", 0L)).isEqualTo(writes);
    }
}
