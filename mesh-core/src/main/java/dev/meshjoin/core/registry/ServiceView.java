package dev.meshjoin.core.registry;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.ServicesRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service instances a lighthouse knows from its members' polls, in memory. An instance is live
 * while its node keeps polling: one not heard from for {@code expireAfter} (two and a half polls)
 * is no longer listed, and a node that leaves or is revoked is forgotten at once. The view writes
 * its {@link ServicesRecord} when the set of instances changes, never for a load figure, and not
 * under the lock the polls take: while one poll writes, the others return at once (the writer writes
 * their changes too), so a slow store never holds up another member's poll or a lookup.
 */
public final class ServiceView {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceView.class);
    private static final int ROUNDS = 4;
    private static final Duration RETRY = Duration.ofSeconds(30);
    /** The most instances one node may offer; more are ignored. */
    public static final int MAX_PER_NODE = 32;

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final String lighthouse;
    private final Clock clock;
    private final Duration expireAfter;
    private final Map<String, Offer> offers = new TreeMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean writer = new java.util.concurrent.atomic.AtomicBoolean();
    /** Bumped whenever the set of instances changes; the store holds {@code written}'s set. */
    private long generation;
    private long written;
    private long writes;
    private Instant notBefore = Instant.MIN;

    /** What one node offers, as of its last poll. */
    private record Offer(String node, Ipv4Address address, List<ServiceInstance> instances, double load, Instant lastSeen) {
    }

    /** @param expireAfter an instance whose node has been silent this long is no longer live */
    public ServiceView(BootstrapStore store, StoreKeys keys, String lighthouse, Clock clock, Duration expireAfter) {
        this.store = store;
        this.keys = keys;
        this.lighthouse = lighthouse;
        this.clock = clock;
        this.expireAfter = expireAfter;
    }

    /** A member polled, offering {@code instances} (none: it offers nothing, or no longer). */
    public void seen(String node, Ipv4Address address, List<ServiceInstance> instances, Double load) {
        List<ServiceInstance> offered = instances == null ? List.of()
                : List.copyOf(instances.subList(0, Math.min(MAX_PER_NODE, instances.size())));
        boolean changed;
        synchronized (this) {
            Offer prev;
            if (offered.isEmpty()) {
                prev = offers.remove(node);
                changed = prev != null;
            } else {
                Instant now = clock.instant();
                prev = offers.put(node, new Offer(node, address, offered, load == null ? 0 : load, now));
                changed = prev == null || expired(prev, now) || !prev.address().equals(address)
                        || !new HashSet<>(prev.instances()).equals(new HashSet<>(offered));
            }
            if (changed) {
                generation++;
            }
        }
        if (changed) {
            flush();
        }
    }

    /** Forgets a node's instances at once (it left, or was revoked). */
    public void forget(String node) {
        boolean changed;
        synchronized (this) {
            Offer prev = offers.remove(node);
            changed = prev != null;
            if (changed) {
                generation++;
            }
        }
        if (changed) {
            flush();
        }
    }

    /** Drops silent nodes' instances, and writes the record when that (or a failed earlier write) calls for it. */
    public void sweep() {
        synchronized (this) {
            Instant now = clock.instant();
            // Expired entries already left every lookup; the set changed then, so count it now.
            if (offers.values().removeIf(o -> expired(o, now))) {
                generation++;
            }
        }
        flush();
    }

    /** The live instances of {@code name}, or every live instance when {@code name} is null. */
    public synchronized List<RegistryWire.Found> lookup(String name) {
        Instant now = clock.instant();
        List<RegistryWire.Found> out = new ArrayList<>();
        for (Offer o : offers.values()) {
            if (expired(o, now)) {
                continue;
            }
            long age = Duration.between(o.lastSeen(), now).toMillis();
            for (ServiceInstance s : o.instances()) {
                if (name == null || s.name().equals(name)) {
                    out.add(new RegistryWire.Found(o.node(), o.address().toString(), s, o.load(), age));
                }
            }
        }
        return out;
    }

    /** Records written so far. */
    public synchronized long writes() {
        return writes;
    }

    /** How long a silent node's instances stay listed. */
    public Duration expireAfter() {
        return expireAfter;
    }

    private boolean expired(Offer o, Instant now) {
        return o.lastSeen().plus(expireAfter).isBefore(now);
    }

    /**
     * Writes the current set unless it is written already. One thread writes at a time; a poll that
     * finds another writing returns at once, and that writer writes again before it stops.
     */
    private void flush() {
        while (writer.compareAndSet(false, true)) {
            try {
                while (writeOnce()) {
                    // a poll changed the set while we wrote: write again
                }
            } finally {
                writer.set(false);
            }
            synchronized (this) {
                if (generation == written || clock.instant().isBefore(notBefore)) {
                    return;
                }
            }
        }
    }

    /** Writes the set once if it is not written yet; true when it was written and may have changed since. */
    private boolean writeOnce() {
        long gen;
        List<ServicesRecord.Listed> listed = new ArrayList<>();
        Instant now;
        synchronized (this) {
            now = clock.instant();
            gen = generation;
            if (gen == written || now.isBefore(notBefore)) {
                return false;
            }
            for (Offer o : offers.values()) {
                if (!expired(o, now)) {
                    o.instances().forEach(s -> listed.add(new ServicesRecord.Listed(o.node(), o.address().toString(), s)));
                }
            }
        }
        listed.sort(Comparator.comparing(ServicesRecord.Listed::node).thenComparing(l -> l.instance().name())
                .thenComparingInt(l -> l.instance().port()));
        boolean ok = write(Json.write(new ServicesRecord(Versioned.SCHEMA, lighthouse, now, listed)));
        synchronized (this) {
            if (ok) {
                written = gen;
                writes++;
            } else {
                notBefore = now.plus(RETRY);
            }
        }
        return ok;
    }

    private boolean write(byte[] bytes) {
        String key = keys.services(lighthouse);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Optional<Entry> current = store.get(key);
                boolean ok = current.isEmpty() ? store.putIfAbsent(key, bytes).isPresent()
                        : store.compareAndSet(key, current.get().version(), bytes).isPresent();
                if (ok) {
                    return true;
                }
            }
            LOG.warn("{}: {} kept changing; another process writes it? Will try again", lighthouse, key);
        } catch (RuntimeException e) {
            LOG.warn("{}: writing {} failed ({}); will try again", lighthouse, key, e.getMessage());
        }
        return false;
    }
}
