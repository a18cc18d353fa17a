package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.PresenceRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.core.state.Beat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is live, as one lighthouse sees it from the members' polls, kept in memory. It writes its
 * aggregated {@link PresenceRecord} when the set of live members changes (a member appears, goes
 * silent for {@code dropAfter}, changes its entry point or certificate) and otherwise at most once
 * per {@code interval}: a steady mesh costs one write per lighthouse per interval, whatever its size.
 */
public final class LivePresence {
    private static final Logger LOG = LoggerFactory.getLogger(LivePresence.class);
    private static final int ROUNDS = 4;
    private static final Duration RETRY = Duration.ofSeconds(30);

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final String lighthouse;
    private final Clock clock;
    private final Duration interval;
    private final Duration dropAfter;
    private final Map<String, PresenceRecord.Seen> live = new TreeMap<>();
    private Instant lastWrite;
    /** After a failed write, the next one waits until then, so a store that is down is not asked at every poll. */
    private Instant notBefore = Instant.MIN;
    private boolean dirty;
    private boolean closed;
    private long writes;

    /**
     * @param interval at most one write per interval while nothing changes (default 30 minutes)
     * @param dropAfter a member not heard from for this long is no longer live (four polls)
     */
    public LivePresence(BootstrapStore store, StoreKeys keys, String lighthouse, Clock clock, Duration interval,
                        Duration dropAfter) {
        this.store = store;
        this.keys = keys;
        this.lighthouse = lighthouse;
        this.clock = clock;
        this.interval = interval;
        this.dropAfter = dropAfter;
    }

    /** A member polled. Writes at once when that changes who is live or what they offer. */
    public void seen(String node, Ipv4Address address, Beat beat) {
        synchronized (this) {
            if (closed) {
                return;
            }
            PresenceRecord.Seen next = new PresenceRecord.Seen(node, address.toString(), clock.instant(),
                    beat.certificateFingerprint(), beat.publicEndpoint(), beat.entryPoint());
            PresenceRecord.Seen prev = live.put(node, next);
            if (prev == null || !prev.overlayAddress().equals(next.overlayAddress())
                    || !Objects.equals(prev.certificateFingerprint(), next.certificateFingerprint())
                    || !Objects.equals(prev.publicEndpoint(), next.publicEndpoint())
                    || !Objects.equals(prev.entryPoint(), next.entryPoint())) {
                dirty = true;
            }
            flush();
        }
    }

    /** Forgets a member at once (it left or was revoked). */
    public synchronized void forget(String node) {
        if (!closed && live.remove(node) != null) {
            dirty = true;
            flush();
        }
    }

    /** Drops members silent for longer than {@code dropAfter}, and writes when that or the interval calls for it. */
    public synchronized void sweep() {
        if (closed) {
            return;
        }
        Instant cutoff = clock.instant().minus(dropAfter);
        if (live.values().removeIf(s -> s.lastSeen().isBefore(cutoff))) {
            dirty = true;
        }
        flush();
    }

    /**
     * The lighthouse stops serving: its record is written once more with nobody live, so that a
     * reader ({@code meshctl members}) stops counting its members as running now, instead of for the
     * record's {@code liveForSeconds} (up to an hour). Nothing is written after. Waits at most
     * {@code wait} for the store, so a store that is down does not hold up a node's close; the
     * write then goes on in the background, and until it lands readers see the last record.
     */
    public void close(Duration wait) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (lastWrite == null) {
                return; // this process never wrote: there is nothing of its to take back
            }
        }
        Thread t = new Thread(() -> {
            synchronized (this) {
                live.clear();
                dirty = true;
                notBefore = Instant.MIN;
                flush();
            }
        }, "meshjoin-presence-close");
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("{}: the store did not take {} within {} ms; readers count its members as running until it"
                    + " does, or until the last record expires", lighthouse, keys.presence(lighthouse), wait.toMillis());
        }
    }

    /** The members live now, by name. */
    public synchronized List<PresenceRecord.Seen> live() {
        return List.copyOf(live.values());
    }

    /** The lighthouse whose view this is. */
    public String lighthouse() {
        return lighthouse;
    }

    /** Aggregated records written so far. */
    public synchronized long writes() {
        return writes;
    }

    private void flush() {
        Instant now = clock.instant();
        boolean due = lastWrite == null ? !live.isEmpty() : !now.isBefore(lastWrite.plus(interval));
        if ((!dirty && !due) || now.isBefore(notBefore)) {
            return;
        }
        PresenceRecord rec = new PresenceRecord(Versioned.SCHEMA, lighthouse, now,
                interval.multipliedBy(2).toSeconds(), new ArrayList<>(live.values()));
        byte[] bytes = Json.write(rec);
        String key = keys.presence(lighthouse);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Optional<Entry> current = store.get(key);
                boolean ok = current.isEmpty() ? store.putIfAbsent(key, bytes).isPresent()
                        : store.compareAndSet(key, current.get().version(), bytes).isPresent();
                if (ok) {
                    lastWrite = now;
                    dirty = false;
                    writes++;
                    return;
                }
            }
            LOG.warn("{}: {} kept changing; another process writes it? Will try again", lighthouse, key);
        } catch (RuntimeException e) {
            LOG.warn("{}: writing {} failed ({}); will try again", lighthouse, key, e.getMessage());
        }
        notBefore = now.plus(RETRY);
    }
}
