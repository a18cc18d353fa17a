package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
import dev.meshjoin.api.store.KeyVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests made through it, by operation, and passes each on unchanged: what a node
 * costs in store requests (a paid or rate-limited store counts each one). Every call counts,
 * including one that fails or loses a race. Several stores may share one {@link Counts}, to sum up
 * many clients; counting is safe from any number of threads.
 *
 * <pre>{@code
 * CountingStore store = new CountingStore(InMemoryBootstrapStore.linearizable());
 * MeshNode node = MeshJoin.builder().store(store)...build();
 * node.join();
 * store.counts().writes(); // putIfAbsent, compareAndSet and delete calls so far
 * }</pre>
 */
public final class CountingStore extends ForwardingBootstrapStore {
    /** A store request. */
    public enum Operation {
        GET(false), LIST(false), PUT_IF_ABSENT(true), COMPARE_AND_SET(true), DELETE(true);

        private final boolean write;

        Operation(boolean write) {
            this.write = write;
        }

        /** Whether it asks the store to change something. */
        public boolean isWrite() {
            return write;
        }
    }

    /** Request counters, by operation; one instance may be shared by several stores. */
    public static final class Counts {
        private final LongAdder[] byOperation = new LongAdder[Operation.values().length];

        public Counts() {
            for (int i = 0; i < byOperation.length; i++) {
                byOperation[i] = new LongAdder();
            }
        }

        void add(Operation op) {
            byOperation[op.ordinal()].increment();
        }

        /** Requests of {@code op} so far. */
        public long of(Operation op) {
            return byOperation[op.ordinal()].sum();
        }

        /** {@code get} and {@code list} requests so far. */
        public long reads() {
            return sum(false);
        }

        /** {@code putIfAbsent}, {@code compareAndSet} and {@code delete} requests so far. */
        public long writes() {
            return sum(true);
        }

        private long sum(boolean writes) {
            long n = 0;
            for (Operation op : Operation.values()) {
                n += op.isWrite() == writes ? of(op) : 0;
            }
            return n;
        }

        @Override
        public String toString() {
            return "reads " + reads() + ", writes " + writes();
        }
    }

    private final Counts counts;

    /** Counts the requests to {@code delegate} on counters of its own. */
    public CountingStore(BootstrapStore delegate) {
        this(delegate, new Counts());
    }

    /** Counts the requests to {@code delegate} on {@code counts}, which other stores may share. */
    public CountingStore(BootstrapStore delegate, Counts counts) {
        super(delegate);
        this.counts = java.util.Objects.requireNonNull(counts, "counts");
    }

    /** The counters this store adds to. */
    public Counts counts() {
        return counts;
    }

    @Override
    public Optional<Entry> get(String key) {
        counts.add(Operation.GET);
        return super.get(key);
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        counts.add(Operation.LIST);
        return super.list(prefix);
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        counts.add(Operation.PUT_IF_ABSENT);
        return super.putIfAbsent(key, value, ttl);
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        counts.add(Operation.COMPARE_AND_SET);
        return super.compareAndSet(key, expectedVersion, value, ttl);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        counts.add(Operation.DELETE);
        return super.delete(key, expectedVersion);
    }
}
