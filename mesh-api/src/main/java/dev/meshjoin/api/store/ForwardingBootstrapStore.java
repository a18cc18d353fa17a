package dev.meshjoin.api.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store that hands every call to another one: the base of decorators (retries, timing, tests
 * that count or break calls), which override only what they change. Everything the wrapped store
 * declares — consistency, limits, writes a day, whether it retries by itself — is passed on.
 */
public class ForwardingBootstrapStore implements BootstrapStore {
    private final BootstrapStore delegate;

    public ForwardingBootstrapStore(BootstrapStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped store. */
    public BootstrapStore delegate() {
        return delegate;
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
    public int maxKeyBytes() {
        return delegate.maxKeyBytes();
    }

    @Override
    public long maxValueBytes() {
        return delegate.maxValueBytes();
    }

    @Override
    public Duration minTtl() {
        return delegate.minTtl();
    }

    @Override
    public long writesPerDay() {
        return delegate.writesPerDay();
    }

    @Override
    public boolean retriesItself() {
        return delegate.retriesItself();
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
