package dev.meshjoin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** close() cancels a join that cannot finish, and returns within a second. */
class CloseDuringJoinTest {
    @TempDir
    Path dir;

    private MeshNode node(BootstrapStore store, CountDownLatch waiting) {
        CertificateAuthorityProvider ca = mock(CertificateAuthorityProvider.class);
        when(ca.type()).thenReturn("test");
        return MeshNode.builder()
                .nodeName("patient").networkName("test")
                .store(store)
                .certificateAuthorities(ca)
                .overlay(mock(OverlayDriver.class))
                .transport((endpoint, request, network) -> {
                    throw new MeshException("no lighthouse in this test");
                })
                .credentials((network, node, key, nonce) -> new byte[0])
                .stateDirectory(dir.resolve("state"))
                .joinTimeout(Duration.ofMinutes(2))
                .listener((before, now) -> {
                    if (now.state() == NodeState.ELECTING || now.state() == NodeState.DISCOVERING) {
                        waiting.countDown();
                    }
                })
                .build();
    }

    @Test
    void closeWhileWaitingForAFounderReturnsWithinASecondAndTheJoinEndsFailed() throws Exception {
        try (InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable()) {
            CountDownLatch waiting = new CountDownLatch(1);
            MeshNode node = node(store, waiting);
            CompletableFuture<NodeStatus> join = CompletableFuture.supplyAsync(node::join);
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(300); // well into the founder wait

            long t0 = System.nanoTime();
            node.close();
            long closeMs = (System.nanoTime() - t0) / 1_000_000;
            NodeStatus ended = join.get(1, TimeUnit.SECONDS);

            System.out.println("close() during join (waiting for a founder) returned in " + closeMs + " ms");
            assertThat(closeMs).isLessThan(1000);
            assertThat(ended.state()).isEqualTo(NodeState.FAILED);
            assertThat(ended.detail()).contains("cancelled").contains("close()");
            assertThat(node.status().state()).isEqualTo(NodeState.LEFT);
            assertThat(store.list("mesh/")).as("a joiner without a public endpoint writes nothing").isEmpty();
        }
    }

    @Test
    void closeWhileAStoreCallBlocksReturnsWithinASecondAndTheNodeCanJoinAgain() throws Exception {
        try (InMemoryBootstrapStore files = InMemoryBootstrapStore.linearizable()) {
            BlockingStore store = new BlockingStore(files);
            CountDownLatch waiting = new CountDownLatch(1);
            MeshNode node = node(store, waiting);
            CompletableFuture<NodeStatus> join = CompletableFuture.supplyAsync(node::join);
            assertThat(store.blocked.await(10, TimeUnit.SECONDS)).isTrue();

            long t0 = System.nanoTime();
            node.close();
            long closeMs = (System.nanoTime() - t0) / 1_000_000;
            NodeStatus ended = join.get(1, TimeUnit.SECONDS);

            System.out.println("close() during join (store call blocked) returned in " + closeMs + " ms");
            assertThat(closeMs).isLessThan(1000);
            assertThat(ended.state()).isEqualTo(NodeState.FAILED);
            assertThat(node.status().state()).isEqualTo(NodeState.LEFT);
            assertThat(Thread.interrupted()).as("the test thread is not left interrupted").isFalse();
        }
    }

    /** A store whose reads block until interrupted, as a store behind a dead network would. */
    private static final class BlockingStore implements BootstrapStore {
        final CountDownLatch blocked = new CountDownLatch(1);
        private final BootstrapStore inner;

        BlockingStore(BootstrapStore inner) {
            this.inner = inner;
        }

        @Override public String name() { return "blocking"; }
        @Override public Consistency consistency() { return inner.consistency(); }

        @Override
        public Optional<Entry> get(String key) {
            blocked.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.meshjoin.api.store.StoreException(name(), "get " + key, "interrupted", false);
            }
            return Optional.empty();
        }

        @Override public Optional<Entry> putIfAbsent(String k, byte[] v, Duration ttl) { return inner.putIfAbsent(k, v, ttl); }
        @Override public Optional<Entry> compareAndSet(String k, long ver, byte[] v, Duration ttl) {
            return inner.compareAndSet(k, ver, v, ttl);
        }
        @Override public boolean delete(String k, long ver) { return inner.delete(k, ver); }
        @Override public List<KeyVersion> list(String prefix) { return inner.list(prefix); }
    }
}
