package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A new member's first poll is answered even while the lighthouse cannot yet read the lease it
 * wrote for it, as on Workers KV, whose edge may serve a cached "not found" for up to a minute.
 */
class FirstPollTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    /** Once armed, leases written through the lighthouse's view are invisible to its reads. */
    private final AtomicBoolean stale = new AtomicBoolean();
    private final Set<String> hidden = ConcurrentHashMap.newKeySet();
    private final MeshHarness mesh = MeshHarness.builder().store(store).clock(clock)
            .storeFactory(name -> name.equals("lh") ? staleLeases(store.client(name)) : store.client(name))
            .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build();

    private BootstrapStore staleLeases(BootstrapStore s) {
        return new ForwardingBootstrapStore(s) {
            private Optional<Entry> written(String key, Optional<Entry> e) {
                if (stale.get() && key.contains("/ip/") && e.isPresent()) {
                    hidden.add(key);
                }
                return e;
            }

            @Override
            public Optional<Entry> get(String key) {
                return hidden.contains(key) ? Optional.empty() : super.get(key);
            }

            @Override
            public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
                return written(key, super.putIfAbsent(key, value, ttl));
            }

            @Override
            public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
                return written(key, super.compareAndSet(key, expectedVersion, value, ttl));
            }
        };
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    @Test
    void theLighthouseKnowsTheMemberItJustAdmittedBeforeItCanReadItsLease() {
        MeshNode lh = mesh.node("lh");
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        stale.set(true);
        MeshNode w = mesh.node("w", b -> b.publicEndpoint(null));
        assertThat(w.join().state()).isEqualTo(NodeState.READY);
        assertThat(hidden).as("the lease the lighthouse wrote for w, unreadable to it").isNotEmpty();

        String lhAddress = lh.status().address().orElseThrow().address().toString();
        clock.advance(Duration.ofSeconds(15));
        w.follower().orElseThrow().tick();
        assertThat(w.follower().orElseThrow().lastContact()).as("the first poll was answered").containsKey(lhAddress);
        assertThat(w.follower().orElseThrow().document()).isPresent();
    }
}
