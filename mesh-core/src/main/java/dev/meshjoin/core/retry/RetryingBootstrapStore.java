package dev.meshjoin.core.retry;

import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
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
 *
 * <p>Use {@link #wrap} rather than the constructor: a store that {@linkplain
 * BootstrapStore#retriesItself() retries by itself} is returned as it is, so retries never stack.
 * Every delay is bounded by the caller's {@link dev.meshjoin.api.retry.Deadline}.
 */
public final class RetryingBootstrapStore extends ForwardingBootstrapStore {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingBootstrapStore.class);

    private final RetryPolicy policy;

    public RetryingBootstrapStore(BootstrapStore delegate, RetryPolicy policy) {
        super(delegate);
        this.policy = policy;
    }

    /**
     * The store with retries under {@code policy}, or {@code store} itself when it retries by
     * itself or is already wrapped.
     */
    public static BootstrapStore wrap(BootstrapStore store, RetryPolicy policy) {
        if (store.retriesItself() || store instanceof RetryingBootstrapStore) {
            return store;
        }
        return new RetryingBootstrapStore(store, policy);
    }

    @Override
    public boolean retriesItself() {
        return true;
    }

    private <T> T retry(Supplier<T> op) {
        return policy.call(op, e -> e instanceof StoreException se && se.retryable(),
                (attempt, e, delay) -> LOG.debug("{}; retry {} of {} in {} ms", e.getMessage(), attempt,
                        policy.maxAttempts() - 1, delay.toMillis()));
    }

    @Override
    public Optional<Entry> get(String key) {
        return retry(() -> delegate().get(key));
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        return retry(() -> delegate().putIfAbsent(key, value, ttl));
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        return retry(() -> delegate().compareAndSet(key, expectedVersion, value, ttl));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return retry(() -> delegate().delete(key, expectedVersion));
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        return retry(() -> delegate().list(prefix));
    }
}
