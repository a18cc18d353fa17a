package dev.meshjoin.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.ForwardingStore;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A member needs only read access: on a view of the store that refuses every write it joins, follows and renews. */
class ReadOnlyMemberTest {
    private static final Duration VALIDITY = Duration.ofHours(3);
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private InMemoryBootstrapStore store;
    private MeshHarness mesh;

    /** Read access only, as a Workers KV "Read" token or a read-only Durable Object token gives. */
    static final class ReadOnlyStore extends ForwardingStore {
        final AtomicInteger refused = new AtomicInteger();

        ReadOnlyStore(dev.meshjoin.api.store.BootstrapStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
            throw refuse(key);
        }

        @Override
        public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
            throw refuse(key);
        }

        @Override
        public boolean delete(String key, long expectedVersion) {
            throw refuse(key);
        }

        private RuntimeException refuse(String key) {
            refused.incrementAndGet();
            return new dev.meshjoin.api.store.StoreException(name(), "write " + key,
                    "this credential may only read (a member's store token)", false);
        }
    }

    @BeforeEach
    void setUp() {
        store = InMemoryBootstrapStore.linearizable(clock);
        mesh = MeshHarness.builder().store(store).clock(clock).caProvider(new TestDoubleCertificateAuthorityProvider(clock))
                .caKeyCodec(salt -> codec).build();
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    @Test
    void aMemberOnAReadOnlyStoreGoesReadyFollowsAndRenews() {
        MeshNode lh = mesh.node("lh", b -> b.certificateValidity(VALIDITY));
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        String ca = Json.read(store.get("mesh/test/network").orElseThrow().value(), NetworkRecord.class, "n").caFingerprint();
        ReadOnlyStore readOnly = new ReadOnlyStore(store.client("worker"));
        MeshNode w = mesh.node("worker", b -> b.publicEndpoint(null).caKeyCodec(null).store(readOnly)
                .caFingerprint(List.of(ca)).certificateValidity(VALIDITY));

        NodeStatus s = w.join();
        assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY);
        assertThat(store.get("mesh/test/members/worker")).as("the lighthouse wrote the member record").isPresent();
        HostCertificate first = w.certificate().orElseThrow();
        w.follower().orElseThrow().tick();
        assertThat(w.follower().orElseThrow().document()).as("the signed state document was accepted").isPresent();

        clock.advance(Duration.ofMinutes(121));
        lh.follower().orElseThrow().tick();
        w.follower().orElseThrow().tick();
        assertThat(w.follower().orElseThrow().certificate()).as("renewed").isNotEqualTo(first);
        assertThat(w.status().state()).isEqualTo(NodeState.READY);
        assertThat(readOnly.refused).as("the member never tried to write").hasValue(0);
    }
}
