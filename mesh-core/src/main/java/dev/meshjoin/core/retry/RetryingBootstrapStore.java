package dev.meshjoin.core.retry;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a store and retries operations that failed with a {@linkplain StoreException#retryable()
 * retryable} error. A conditional write whose first attempt may have landed before the failure can
 * then report a conflict with its own write; callers recognise their own values (claims and leases
 * carry the writer's identity) instead of trusting the boolean alone.
 */
public final class RetryingBootstrapStore implements BootstrapStore {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingBootstrapStore.class);

    private final BootstrapStore delegate;
    private final RetryPolicy policy;

    public RetryingBootstrapStore(BootstrapStore delegate, RetryPolicy policy) {
        this.delegate = delegate;
        this.policy = policy;
    }

    /** The wrapped store. */
    public BootstrapStore delegate() {
        return delegate;
    }

    private <T> T retry(Supplier<T> op) {
        for (int attempt = 1; ; attempt++) {
            try {
                return op.get();
            } catch (StoreException e) {
                if (!e.retryable() || attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration delay = policy.delayAfter(attempt);
                LOG.debug("{}; retry {} of {} in {} ms", e.getMessage(), attempt, policy.maxAttempts() - 1, delay.toMillis());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
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
    public Optional<Entry> get(String key) {
        return retry(() -> delegate.get(key));
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        return retry(() -> delegate.putIfAbsent(key, value, ttl));
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        return retry(() -> delegate.compareAndSet(key, expectedVersion, value, ttl));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return retry(() -> delegate.delete(key, expectedVersion));
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        return retry(() -> delegate.list(prefix));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
