package dev.meshjoin.api.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The shared state of a mesh: a key-value store with versioned entries and conditional writes.
 * Everything nodes agree on — the network record, the election claim, address leases, members,
 * entry points — lives here, so a store must be reachable by every node before it is on the
 * overlay.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Keys are non-empty UTF-8 strings of at most {@link #maxKeyBytes()} bytes, without control
 *       characters. meshjoin's own keys are described in {@code docs/store-schema.md}.</li>
 *   <li>Every entry has a positive version; every successful
 *       {@link #compareAndSet} returns a version greater than the one it replaced. Stores that can
 *       (all but Cloudflare KV) never reuse a version for a key, even after a delete, so a stale
 *       compare-and-set cannot succeed against a re-created key.</li>
 *   <li>Losing a conditional write is normal and returns {@link Optional#empty()} or
 *       {@code false}; only a failure of the store itself throws {@link StoreException}.</li>
 *   <li>A time-to-live makes an entry disappear after it; expired entries are never returned by
 *       {@link #get} or {@link #list}, and a key whose entry expired counts as absent.</li>
 *   <li>{@link #consistency()} states honestly how fresh reads are and how strong conditional
 *       writes are; see {@link Consistency}.</li>
 * </ul>
 *
 * <p>Every store is checked by the compatibility kit in {@code mesh-testkit}
 * ({@code BootstrapStoreContract}). Implementations are found with {@link java.util.ServiceLoader}
 * through {@link BootstrapStoreProvider}, or passed to the node builder directly.
 *
 * <pre>{@code
 * Optional<Entry> mine = store.putIfAbsent("mesh/prod/founder", claim, Duration.ofSeconds(30));
 * if (mine.isPresent()) { ... we hold the claim ... }
 * }</pre>
 */
public interface BootstrapStore extends AutoCloseable {

    /** A short description for messages and logs, such as {@code file:/var/lib/mesh}; no secrets. */
    String name();

    /** How fresh reads are and how strong conditional writes are. */
    Consistency consistency();

    /** The longest key the store accepts, in UTF-8 bytes. */
    default int maxKeyBytes() {
        return 512;
    }

    /** The largest value the store accepts, in bytes. */
    default long maxValueBytes() {
        return 25L * 1024 * 1024;
    }

    /** The shortest time-to-live the store accepts; shorter ones are refused. */
    default Duration minTtl() {
        return Duration.ofSeconds(1);
    }

    /**
     * How many writes a day this store can afford, for everything meshjoin writes to it; writers
     * that may be driven by strangers (the signing service's audit log) budget themselves to a
     * share of it. {@link Long#MAX_VALUE} (the default) declares no limit. Cloudflare KV's free
     * tier, for example, allows 1,000 writes a day.
     */
    default long writesPerDay() {
        return Long.MAX_VALUE;
    }

    /**
     * True when this store retries failed requests by itself (rate limits, outages), bounded by the
     * caller's {@link dev.meshjoin.api.retry.Deadline}; callers then must not add a retry layer of
     * their own. Default false.
     */
    default boolean retriesItself() {
        return false;
    }

    /** The current entry for a key, or empty when it is absent or expired. */
    Optional<Entry> get(String key);

    /**
     * Creates the key when it is absent.
     *
     * @param ttl how long the entry lives, or {@code null} for ever
     * @return the written entry, or empty when the key already exists
     */
    Optional<Entry> putIfAbsent(String key, byte[] value, Duration ttl);

    /** {@link #putIfAbsent(String, byte[], Duration)} without expiry. */
    default Optional<Entry> putIfAbsent(String key, byte[] value) {
        return putIfAbsent(key, value, null);
    }

    /**
     * Replaces the value when the key's current version is {@code expectedVersion}.
     *
     * @param ttl the new entry's time-to-live, or {@code null} for ever
     * @return the written entry with its new version, or empty when the key is absent or its
     *     version differs
     */
    Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value, Duration ttl);

    /** {@link #compareAndSet(String, long, byte[], Duration)} without expiry. */
    default Optional<Entry> compareAndSet(String key, long expectedVersion, byte[] value) {
        return compareAndSet(key, expectedVersion, value, null);
    }

    /**
     * Deletes the key when its current version is {@code expectedVersion}.
     *
     * @return true when this call deleted it
     */
    boolean delete(String key, long expectedVersion);

    /** Every live key starting with {@code prefix}, in ascending key order, across all pages. */
    List<KeyVersion> list(String prefix);

    /** Releases connections, threads and locks. The store is unusable afterwards. */
    @Override
    default void close() {
    }
}
