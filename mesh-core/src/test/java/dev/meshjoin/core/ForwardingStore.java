package dev.meshjoin.core;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A store that passes everything to another; tests override the operations they disturb. */
public class ForwardingStore implements BootstrapStore {
    protected final BootstrapStore delegate;

    public ForwardingStore(BootstrapStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Consistency consistency() {
        return delegate.consistency();
    }

    @Override
    public Duration minTtl() {
        return delegate.minTtl();
    }

    @Override
    public int maxKeyBytes() {
        return delegate.maxKeyBytes();
    }

    @Override
    public long maxValueBytes() {
        return delegate.maxValueBytes();
    }

    @Override
    public Optional<Entry> get(String key) {
        return delegate.get(key);
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        return delegate.putIfAbsent(key, value, ttl);
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        return delegate.compareAndSet(key, expectedVersion, value, ttl);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return delegate.delete(key, expectedVersion);
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
