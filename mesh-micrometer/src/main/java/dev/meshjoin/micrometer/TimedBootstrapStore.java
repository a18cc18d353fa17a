package dev.meshjoin.micrometer;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link BootstrapStore} that times every request as {@value #REQUESTS}, tagged with the
 * {@code operation} ({@code get}, {@code put-if-absent}, {@code compare-and-set}, {@code delete},
 * {@code list}) and its {@code outcome}: {@code found} or {@code absent} for a read, {@code written}
 * or {@code conflict} for a conditional write, {@code deleted} or {@code conflict} for a delete,
 * {@code ok} for a list, {@code error} when the store threw. Keys and values are never tags.
 * Everything else, {@link #retriesItself()} included, is the wrapped store's.
 */
public final class TimedBootstrapStore extends ForwardingBootstrapStore {
    /** The timer's name. */
    public static final String REQUESTS = "meshjoin.store.requests";

    private final MeterRegistry registry;
    private final Tags tags;

    /** Times {@code delegate}'s requests in {@code registry}, with {@code tags} on each timer. */
    public TimedBootstrapStore(BootstrapStore delegate, MeterRegistry registry, Tags tags) {
        super(delegate);
        this.registry = java.util.Objects.requireNonNull(registry, "registry");
        this.tags = tags;
    }

    private <T> T timed(String operation, Supplier<T> call, Function<T, String> outcome) {
        long start = System.nanoTime();
        String result = "error";
        try {
            T value = call.get();
            result = outcome.apply(value);
            return value;
        } finally {
            Timer.builder(REQUESTS).tags(tags).tag("operation", operation).tag("outcome", result)
                    .description("bootstrap store requests by operation and outcome").register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static String written(Optional<Entry> e) {
        return e.isPresent() ? "written" : "conflict";
    }

    @Override
    public Optional<Entry> get(String key) {
        return timed("get", () -> delegate().get(key), e -> e.isPresent() ? "found" : "absent");
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        return timed("put-if-absent", () -> delegate().putIfAbsent(key, value, ttl), TimedBootstrapStore::written);
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        return timed("compare-and-set", () -> delegate().compareAndSet(key, expectedVersion, value, ttl),
                TimedBootstrapStore::written);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return timed("delete", () -> delegate().delete(key, expectedVersion), ok -> ok ? "deleted" : "conflict");
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        return timed("list", () -> delegate().list(prefix), l -> "ok");
    }

}
