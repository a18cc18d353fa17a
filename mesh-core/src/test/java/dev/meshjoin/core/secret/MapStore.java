package dev.meshjoin.core.secret;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Consistency;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A small linearizable store for this package's tests (mesh-testkit's store depends on mesh-core,
 * so it cannot be used here). {@link #beforeCompareAndSet} lets a test slip a concurrent write in
 * between a reader's get and its compare-and-set.
 */
final class MapStore implements BootstrapStore {
    private final TreeMap<String, Entry> entries = new TreeMap<>();
    private final Clock clock;
    private long nextVersion = 1;
    volatile BiConsumer<MapStore, String> beforeCompareAndSet = (s, k) -> { };

    MapStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "map";
    }

    @Override
    public Consistency consistency() {
        return Consistency.linearizable();
    }

    @Override
    public synchronized Optional<Entry> get(String key) {
        Entry e = entries.get(key);
        if (e != null && e.expiresAt().isPresent() && !e.expiresAt().get().isAfter(clock.instant())) {
            entries.remove(key);
            return Optional.empty();
        }
        return Optional.ofNullable(e);
    }

    @Override
    public synchronized Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl) {
        if (get(key).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(write(key, value, ttl));
    }

    @Override
    public Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl) {
        beforeCompareAndSet.accept(this, key);
        synchronized (this) {
            Optional<Entry> current = get(key);
            if (current.isEmpty() || current.get().version() != expectedVersion) {
                return Optional.empty();
            }
            return Optional.of(write(key, value, ttl));
        }
    }

    @Override
    public synchronized boolean delete(String key, long expectedVersion) {
        Optional<Entry> current = get(key);
        if (current.isEmpty() || current.get().version() != expectedVersion) {
            return false;
        }
        entries.remove(key);
        return true;
    }

    @Override
    public synchronized List<KeyVersion> list(String prefix) {
        List<KeyVersion> out = new ArrayList<>();
        for (String k : new ArrayList<>(entries.tailMap(prefix).keySet())) {
            if (!k.startsWith(prefix)) {
                break;
            }
            get(k).ifPresent(e -> out.add(e.keyVersion()));
        }
        return out;
    }

    private Entry write(String key, byte[] value, Duration ttl) {
        Optional<Instant> expires = ttl == null ? Optional.empty() : Optional.of(clock.instant().plus(ttl));
        Entry e = new Entry(key, value, nextVersion++, expires);
        entries.put(key, e);
        return e;
    }
}
