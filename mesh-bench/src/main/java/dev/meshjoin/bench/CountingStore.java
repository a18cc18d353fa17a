package dev.meshjoin.bench;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the operations callers make on a store (one shared counter for many clients). For the
 * file store, which has no server, each operation is one locked file access: its "request".
 */
final class CountingStore implements BootstrapStore {
    private final BootstrapStore delegate;
    private final LongAdder reads;
    private final LongAdder writes;

    CountingStore(BootstrapStore delegate, LongAdder reads, LongAdder writes) {
        this.delegate = delegate;
        this.reads = reads;
        this.writes = writes;
    }

    @Override public String name() { return delegate.name(); }
    @Override public Consistency consistency() { return delegate.consistency(); }
    @Override public int maxKeyBytes() { return delegate.maxKeyBytes(); }
    @Override public long maxValueBytes() { return delegate.maxValueBytes(); }
    @Override public Duration minTtl() { return delegate.minTtl(); }
    @Override public boolean retriesItself() { return delegate.retriesItself(); }

    @Override
    public Optional<Entry> get(String key) {
        reads.increment();
        return delegate.get(key);
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        writes.increment();
        return delegate.putIfAbsent(key, value, ttl);
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        writes.increment();
        return delegate.compareAndSet(key, expectedVersion, value, ttl);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        writes.increment();
        return delegate.delete(key, expectedVersion);
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        reads.increment();
        return delegate.list(prefix);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
