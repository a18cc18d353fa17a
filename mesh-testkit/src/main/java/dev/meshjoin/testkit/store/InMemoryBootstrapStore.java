package dev.meshjoin.testkit.store;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.store.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A {@link BootstrapStore} in memory, for tests. Two modes:
 *
 * <ul>
 *   <li>{@link #linearizable()}: one map under one lock; conditional writes are atomic and every
 *       read sees every completed write.</li>
 *   <li>{@link #eventual(Duration)}: a shared backend and one {@linkplain #client(String) client}
 *       per node, as Cloudflare KV's edge locations. A write is visible to its own client at once
 *       and to the others only after the propagation delay; a conditional write is checked
 *       against the writer's own, possibly stale, view, so two clients can both "win" and the last
 *       writer's value is what everyone eventually reads.</li>
 * </ul>
 *
 * <p>Fault injection: {@link #failNext(int)} makes the next operations throw a retryable
 * {@link StoreException}; {@link #latency(Duration)} delays every operation. Both apply to every
 * client of the backend. Time comes from a {@link Clock} so tests can use a controllable one for
 * time-to-live.
 *
 * <pre>{@code
 * InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
 * store.failNext(1); // the next operation throws
 * }</pre>
 */
public final class InMemoryBootstrapStore implements BootstrapStore {

    private final Backend backend;
    private final String client;

    private InMemoryBootstrapStore(Backend backend, String client) {
        this.backend = backend;
        this.client = client;
    }

    /** A linearizable store on the system clock. */
    public static InMemoryBootstrapStore linearizable() {
        return linearizable(Clock.systemUTC());
    }

    /** A linearizable store on the given clock. */
    public static InMemoryBootstrapStore linearizable(Clock clock) {
        return new InMemoryBootstrapStore(new Backend(Consistency.linearizable(), clock), "main");
    }

    /** An eventually consistent store; use {@link #client(String)} to get one view per node. */
    public static InMemoryBootstrapStore eventual(Duration propagationDelay) {
        return eventual(propagationDelay, Clock.systemUTC());
    }

    /** An eventually consistent store on the given clock. */
    public static InMemoryBootstrapStore eventual(Duration propagationDelay, Clock clock) {
        return new InMemoryBootstrapStore(new Backend(Consistency.eventual(propagationDelay), clock), "main");
    }

    /**
     * Another view of the same backend, as another node would have. In linearizable mode every
     * client sees the same thing; in eventual mode each sees others' writes only after the delay.
     */
    public InMemoryBootstrapStore client(String clientName) {
        return new InMemoryBootstrapStore(backend, clientName);
    }

    /** Makes the next {@code n} operations, on any client, fail with a retryable store error. */
    public void failNext(int n) {
        backend.failures.set(n);
    }

    /** Makes the operations matching {@code operation} (such as {@code "putIfAbsent"}) fail until cleared. */
    public void failWhen(Predicate<String> operation) {
        backend.failWhen.set(operation);
    }

    /** Adds latency to every operation; {@link Duration#ZERO} removes it. */
    public void latency(Duration latency) {
        backend.latencyNanos.set(latency.toNanos());
    }

    /** Operations performed so far on all clients, by kind ({@code get}, {@code list}, ...). */
    public Map<String, Long> operationCounts() {
        Map<String, Long> counts = new TreeMap<>();
        backend.counts.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    /** Every live key and its raw bytes as the authoritative copy holds them, for assertions. */
    public Map<String, byte[]> rawSnapshot() {
        synchronized (backend) {
            Map<String, byte[]> out = new TreeMap<>();
            Instant now = backend.clock.instant();
            backend.authoritative.forEach((k, w) -> {
                if (w.live(now)) {
                    out.put(k, w.value.clone());
                }
            });
            return out;
        }
    }

    @Override
    public String name() {
        return "in-memory(" + (backend.consistency.isLinearizable() ? "linearizable" : "eventual "
                + backend.consistency.propagationBound()) + ", client " + client + ")";
    }

    @Override
    public Consistency consistency() {
        return backend.consistency;
    }

    @Override
    public Optional<Entry> get(String key) {
        StoreLimits.checkKey(this, "get", key);
        enter("get", key);
        synchronized (backend) {
            Write w = view(key);
            return w == null ? Optional.empty() : Optional.of(w.entry(key));
        }
    }

    @Override
    public Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "putIfAbsent", key, value, ttl);
        enter("putIfAbsent", key);
        synchronized (backend) {
            if (view(key) != null) {
                return Optional.empty();
            }
            return Optional.of(write(key, value, ttl).entry(key));
        }
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        StoreLimits.checkWrite(this, "compareAndSet", key, value, ttl);
        enter("compareAndSet", key);
        synchronized (backend) {
            Write current = view(key);
            if (current == null || current.version != expectedVersion) {
                return Optional.empty();
            }
            return Optional.of(write(key, value, ttl).entry(key));
        }
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        StoreLimits.checkKey(this, "delete", key);
        enter("delete", key);
        synchronized (backend) {
            Write current = view(key);
            if (current == null || current.version != expectedVersion) {
                return false;
            }
            Write tombstone = new Write(null, backend.versions.incrementAndGet(), null, backend.clock.instant(), client);
            backend.authoritative.put(key, tombstone);
            backend.history.computeIfAbsent(key, k -> new ArrayList<>()).add(tombstone);
            return true;
        }
    }

    @Override
    public List<KeyVersion> list(String prefix) {
        StoreLimits.checkPrefix(this, "list", prefix);
        enter("list", prefix);
        synchronized (backend) {
            List<KeyVersion> out = new ArrayList<>();
            for (String key : backend.history.subMap(prefix, true, prefix + Character.MAX_VALUE, true).keySet()) {
                if (!key.startsWith(prefix)) {
                    continue;
                }
                Write w = view(key);
                if (w != null) {
                    out.add(new KeyVersion(key, w.version, Optional.ofNullable(w.expiresAt)));
                }
            }
            return out;
        }
    }

    private void enter(String operation, String key) {
        backend.counts.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
        long latency = backend.latencyNanos.get();
        if (latency > 0) {
            try {
                Thread.sleep(latency / 1_000_000, (int) (latency % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(name(), operation + " " + key, "interrupted", true, e);
            }
        }
        Predicate<String> when = backend.failWhen.get();
        if (when != null && when.test(operation)) {
            throw new StoreException(name(), operation + " " + key, "injected failure (store unavailable)", true);
        }
        if (backend.failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            throw new StoreException(name(), operation + " " + key, "injected failure (store unavailable)", true);
        }
    }

    private Write write(String key, byte[] value, Duration ttl) {
        Instant now = backend.clock.instant();
        Write w = new Write(value.clone(), backend.versions.incrementAndGet(), ttl == null ? null : now.plus(ttl), now, client);
        backend.authoritative.put(key, w);
        backend.history.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
        return w;
    }

    /** The write this client currently sees for a key, or null when it sees none (or a tombstone). */
    private Write view(String key) {
        Instant now = backend.clock.instant();
        Write seen;
        if (backend.consistency.isLinearizable()) {
            seen = backend.authoritative.get(key);
        } else {
            seen = null;
            List<Write> writes = backend.history.get(key);
            if (writes != null) {
                Duration delay = backend.consistency.propagationBound();
                for (Write w : writes) {
                    boolean visible = w.client.equals(client) || !w.writtenAt.plus(delay).isAfter(now);
                    if (visible && (seen == null || w.version > seen.version)) {
                        seen = w;
                    }
                }
            }
        }
        return seen != null && seen.live(now) ? seen : null;
    }

    private static final class Backend {
        final Consistency consistency;
        final Clock clock;
        final Map<String, Write> authoritative = new TreeMap<>();
        final NavigableMap<String, List<Write>> history = new ConcurrentSkipListMap<>();
        final AtomicLong versions = new AtomicLong();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicReference<Predicate<String>> failWhen = new AtomicReference<>();
        final AtomicLong latencyNanos = new AtomicLong();
        final Map<String, AtomicLong> counts = new java.util.concurrent.ConcurrentHashMap<>();

        Backend(Consistency consistency, Clock clock) {
            this.consistency = consistency;
            this.clock = clock;
        }
    }

    /** One write of a key; a null value is a tombstone. */
    private record Write(byte[] value, long version, Instant expiresAt, Instant writtenAt, String client) {
        boolean live(Instant now) {
            return value != null && (expiresAt == null || now.isBefore(expiresAt));
        }

        Entry entry(String key) {
            return new Entry(key, value, version, Optional.ofNullable(expiresAt));
        }
    }
}
