package dev.meshjoin.testkit.cloudflare;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The keys of the local KV server and what each location sees of them. Not thread-safe: the
 * server calls it under one lock.
 *
 * <p>Workers KV serves reads from caches at each Cloudflare location; Cloudflare documents that a
 * write is usually visible at once where it was made and within about 60 seconds elsewhere, "or
 * more". This model gives every write a visibility instant per location: the propagation delay plus
 * a pseudo-random jitter of up to {@code jitter} beyond it (the writing location sees it at once only
 * when {@code writerSeesOwnWrites}). A location that answered "not found" keeps answering so for the
 * negative-cache time, even once a write has become visible, as KV caches absent keys too.
 */
final class KvData {
    /** One write of a key: the value (null for a delete), its metadata JSON, expiry, time and origin. */
    record Write(long seq, byte[] value, String metadataJson, Long expiration, Instant at, String location) {
        boolean liveAt(Instant now) {
            return value != null && (expiration == null || now.getEpochSecond() < expiration);
        }
    }

    private final Duration delay;
    private final Duration jitter;
    private final Duration negativeCacheTtl;
    private final boolean writerSeesOwnWrites;
    /** namespace → key → the writes of that key, oldest first (tombstones for deletes). */
    private final Map<String, TreeMap<String, List<Write>>> data = new HashMap<>();
    /** location → namespace/key → until when "not found" is cached there. */
    private final Map<String, Map<String, Instant>> negative = new HashMap<>();
    private long seq;

    KvData(Iterable<String> namespaces, Duration delay, Duration jitter, Duration negativeCacheTtl,
            boolean writerSeesOwnWrites) {
        this.delay = delay;
        this.jitter = jitter;
        this.negativeCacheTtl = negativeCacheTtl;
        this.writerSeesOwnWrites = writerSeesOwnWrites;
        for (String ns : namespaces) {
            data.put(ns, new TreeMap<>(KvData::compareUtf8));
        }
    }

    boolean hasNamespace(String ns) {
        return data.containsKey(ns);
    }

    void write(String ns, String key, byte[] value, String metadataJson, Long expiration, Instant now, String location) {
        List<Write> writes = data.get(ns).computeIfAbsent(key, k -> new ArrayList<>());
        writes.add(new Write(++seq, value, metadataJson, expiration, now, location));
        Map<String, Instant> cache = negative.get(location);
        if (writerSeesOwnWrites && cache != null) {
            cache.remove(ns + "/" + key);
        }
        // Keep only what a reader may still see: the newest write visible everywhere and all newer ones.
        Instant horizon = now.minus(delay).minus(jitter);
        int lastVisible = -1;
        for (int i = 0; i < writes.size(); i++) {
            if (!writes.get(i).at.isAfter(horizon)) {
                lastVisible = i;
            }
        }
        if (lastVisible > 0) {
            writes.subList(0, lastVisible).clear();
        }
    }

    /** The time of the key's newest write, visible or not; for the one-write-per-second limit. */
    Instant lastWriteAt(String ns, String key) {
        List<Write> writes = data.get(ns).get(key);
        return writes == null || writes.isEmpty() ? null : writes.get(writes.size() - 1).at;
    }

    /** What a read at {@code location} returns now, recording a "not found" in that location's cache. */
    Write read(String ns, String key, Instant now, String location) {
        Map<String, Instant> cache = negative.computeIfAbsent(location, l -> new HashMap<>());
        String id = ns + "/" + key;
        Instant cachedUntil = cache.get(id);
        if (cachedUntil != null && now.isBefore(cachedUntil)) {
            return null;
        }
        Write w = visible(ns, key, now, location);
        if (w == null && !negativeCacheTtl.isZero()) {
            cache.put(id, now.plus(negativeCacheTtl));
        } else if (w != null) {
            cache.remove(id);
        }
        return w;
    }

    /** The newest write the location sees now, if it is live; listings skip the negative cache. */
    Write visible(String ns, String key, Instant now, String location) {
        List<Write> writes = data.get(ns).get(key);
        if (writes == null) {
            return null;
        }
        Write seen = null;
        for (Write w : writes) {
            if (!visibleAt(w, location).isAfter(now)) {
                seen = w;
            }
        }
        return seen != null && seen.liveAt(now) ? seen : null;
    }

    /** The newest write, visible or not, if live; for assertions. */
    Write latest(String ns, String key, Instant now) {
        List<Write> writes = data.get(ns).get(key);
        if (writes == null || writes.isEmpty()) {
            return null;
        }
        Write last = writes.get(writes.size() - 1);
        return last.liveAt(now) ? last : null;
    }

    TreeMap<String, List<Write>> keys(String ns) {
        return data.get(ns);
    }

    private Instant visibleAt(Write w, String location) {
        if (writerSeesOwnWrites && w.location.equals(location)) {
            return w.at;
        }
        return w.at.plus(delay).plus(jitterFor(w, location));
    }

    /** A fixed pseudo-random share of the jitter per write and location, so reads are repeatable. */
    private Duration jitterFor(Write w, String location) {
        if (jitter.isZero()) {
            return Duration.ZERO;
        }
        long h = w.seq * 0x9E3779B97F4A7C15L ^ location.hashCode() * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        double share = (h >>> 11) * 0x1.0p-53;
        return Duration.ofNanos((long) (jitter.toNanos() * share));
    }

    /** KV lists keys in the order of their UTF-8 bytes. */
    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
