package dev.meshjoin.core.ip;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.ip.AllocationException;
import dev.meshjoin.api.ip.IpAllocator;
import dev.meshjoin.api.ip.Lease;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.LeaseRecord;
import dev.meshjoin.core.record.NodeLeaseIndex;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An {@link IpAllocator} on a {@link BootstrapStore}, using conditional writes only: one key per
 * address ({@code ip/<address>}, put-if-absent decides who gets it) and one per node
 * ({@code ip-node/<node>}, which makes a re-join idempotent).
 *
 * <p>An allocation writes the address lease first as <em>pending</em> with a time-to-live, then
 * the node index, then makes the lease permanent. A crash between those steps leaves at most a
 * pending lease, which expires by itself; no certificate is issued before the lease is permanent,
 * so nothing is lost and nothing is handed out twice.
 *
 * <p>A released lease keeps its address until {@code holdUntil}, the expiry of the last
 * certificate issued for it.
 *
 * <p>On an eventually consistent store, put-if-absent is not atomic between writers in different
 * places, and a store need not show even its writer a write within the propagation bound. There,
 * allocation runs in a single writer (the lighthouse that holds the signing service), which
 * serialises allocations in-process and remembers what it wrote until the store is bound to show
 * it; the lease is written once, final, without the pending step (a crash between the lease and the
 * index write then leaks that one address until an operator releases it).
 *
 * <p>Several lighthouses on one eventual store each allocate from their own slice of the network:
 * the lighthouse at position <i>i</i> of the network record's lighthouse list takes the <i>i</i>-th
 * of halving slices (the founder the first half of the hosts, the next lighthouse the next quarter,
 * and so on, at most {@link #SLICES}), so two writers never race for one address.
 * A lighthouse restarted on an eventual store has forgotten what it wrote within the last bound and
 * the store may not show it yet, so it allocates nothing until twice the bound plus a second after
 * its start ({@code allocateFrom}); by then its earlier writes are visible to its listing.
 */
public final class StoreIpAllocator implements IpAllocator {
    /** Slices of the host range on an eventual store; at most this many lighthouses allocate. */
    public static final int SLICES = 16;
    private static final Duration PENDING_TTL = Duration.ofMinutes(2);

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final Ipv4Cidr network;
    private final Clock clock;
    private final Supplier<Set<Ipv4Address>> lighthouses;
    private final AtomicLong hint = new AtomicLong(1);
    private final Object lock = new Object();
    private final boolean eventual;
    private final Duration memory;
    /** On an eventual store: this allocator's writes the store may not show yet, by node and by address. */
    private final java.util.Map<String, Recent> recentByNode = new java.util.HashMap<>();
    private final java.util.Map<Ipv4Address, Instant> recentAddresses = new java.util.HashMap<>();
    /** The first and last host offset this allocator hands out (its slice on an eventual store). */
    private final long firstOffset;
    private final long lastOffset;
    private final Instant allocateFrom;

    private record Recent(Lease lease, Instant until) {
    }

    /**
     * @param lighthouses the lighthouses' addresses, read on every allocation so a new lighthouse
     *     is reserved at once
     */
    public StoreIpAllocator(BootstrapStore store, StoreKeys keys, Ipv4Cidr network, Clock clock,
                            Supplier<Set<Ipv4Address>> lighthouses) {
        this(store, keys, network, clock, lighthouses, 0, Instant.MIN);
    }

    /**
     * @param slice on an eventual store, this lighthouse's position in the network record's
     *     lighthouse list (0 for the founder); ignored on a linearizable store
     * @param allocateFrom no allocation before this instant (a restarted lighthouse on an eventual store)
     * @throws ConfigurationException when the slice does not exist or is empty
     */
    public StoreIpAllocator(BootstrapStore store, StoreKeys keys, Ipv4Cidr network, Clock clock,
                            Supplier<Set<Ipv4Address>> lighthouses, int slice, Instant allocateFrom) {
        if (network.prefixLength() > 30) {
            throw new ConfigurationException("overlay network " + network + " is too small: use a prefix of /30 or wider");
        }
        this.store = store;
        this.keys = keys;
        this.network = network;
        this.clock = clock;
        this.lighthouses = lighthouses;
        this.eventual = !store.consistency().isLinearizable();
        this.memory = store.consistency().propagationBound().multipliedBy(2).plusSeconds(1);
        this.allocateFrom = allocateFrom;
        long hosts = network.size() - 2;
        if (!eventual) {
            firstOffset = 1;
            lastOffset = hosts;
        } else {
            // Halving slices: the founder takes the first half, the next lighthouse the next quarter, ...
            long lo = slice < 0 || slice >= 62 ? 0 : hosts - (hosts >> slice) + 1;
            long hi = slice < 0 || slice >= 62 ? -1 : hosts - (hosts >> (slice + 1));
            if (slice >= SLICES || hi < lo) {
                throw new ConfigurationException("on the eventually consistent store " + store.name() + " each "
                        + "lighthouse allocates from its own slice of " + network + "; lighthouse number " + (slice + 1)
                        + " has none left (at most " + SLICES + " lighthouses, fewer in a small network). Run fewer "
                        + "lighthouses, found the network with a larger CIDR, or use a linearizable store");
            }
            firstOffset = lo;
            lastOffset = hi;
        }
        hint.set(firstOffset);
    }

    /** The first and last address this allocator hands out. */
    public List<Ipv4Address> range() {
        return List.of(network.addressAt(firstOffset), network.addressAt(lastOffset));
    }

    /** On a restarted lighthouse of an eventual store: wait until its own earlier writes are visible. */
    private void awaitAllocateFrom() {
        Duration wait = Duration.between(clock.instant(), allocateFrom);
        if (wait.isNegative() || wait.isZero()) {
            return;
        }
        if (!dev.meshjoin.api.retry.Deadline.current().allows(wait)) {
            throw new dev.meshjoin.api.ip.AllocationDeferredException("this lighthouse restarted moments ago on an"
                    + " eventually consistent store; it allocates again at " + allocateFrom + ", when its earlier"
                    + " allocations are visible. Try again then", allocateFrom);
        }
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AllocationException("interrupted while waiting to allocate");
        }
    }

    private void forgetOld() {
        Instant now = clock.instant();
        recentByNode.values().removeIf(r -> !now.isBefore(r.until()));
        recentAddresses.values().removeIf(until -> !now.isBefore(until));
    }

    @Override
    public Ipv4Cidr network() {
        return network;
    }

    @Override
    public Set<Ipv4Address> reserved() {
        Set<Ipv4Address> reserved = new HashSet<>(lighthouses.get());
        reserved.add(network.network());
        reserved.add(network.broadcast());
        return reserved;
    }

    @Override
    public Lease allocate(String node, String keyId, Instant holdUntil) {
        StoreKeys.checkName("node name", node);
        synchronized (lock) {
            awaitAllocateFrom();
            for (int round = 0; round < 8; round++) {
                Optional<Lease> existing = existingFor(node, keyId, holdUntil);
                if (existing.isPresent()) {
                    return existing.get();
                }
                Optional<Lease> fresh = allocateFresh(node, keyId, holdUntil);
                if (fresh.isPresent()) {
                    return fresh.get();
                }
            }
            throw new AllocationException("could not allocate an address for " + node + " in " + network
                    + " after repeated conflicts; the store may be overloaded, try again");
        }
    }

    @Override
    public Lease claim(Ipv4Address address, String node, String keyId, Instant holdUntil) {
        StoreKeys.checkName("node name", node);
        if (!network.contains(address) || address.equals(network.network()) || address.equals(network.broadcast())) {
            throw new AllocationException(address + " is not a host address of " + network);
        }
        synchronized (lock) {
            Optional<Lease> existing = existingFor(node, keyId, holdUntil);
            if (existing.isPresent()) {
                if (!existing.get().address().equals(address)) {
                    throw new AllocationException(node + " already holds " + existing.get().address()
                            + ", not " + address + "; release it first");
                }
                return existing.get();
            }
            Optional<Lease> got = tryTake(address, node, keyId, holdUntil, true);
            if (got.isEmpty()) {
                // On an eventual store the lease may be visible before its node index: a lease that
                // names this node and key is this node's own (a lighthouse taking its address back).
                got = store.get(keys.lease(address)).map(this::readLease)
                        .filter(r -> r.node().equals(node) && r.keyId().equals(keyId) && !r.pending()
                                && r.releasedAt() == null)
                        .map(StoreIpAllocator::toLease);
            }
            return got.orElseThrow(() -> new AllocationException(address + " is held by another node; "
                    + "choose another address or release it first"));
        }
    }

    @Override
    public Lease extend(String node, String keyId, Instant holdUntil) {
        synchronized (lock) {
            return existingFor(node, keyId, holdUntil).orElseThrow(() -> new AllocationException(
                    node + " holds no address; allocate one first"));
        }
    }

    @Override
    public Optional<Lease> release(String node) {
        synchronized (lock) {
            Optional<Entry> idxEntry = store.get(keys.leaseOfNode(node));
            if (idxEntry.isEmpty()) {
                return Optional.empty();
            }
            NodeLeaseIndex idx = Json.read(idxEntry.get().value(), NodeLeaseIndex.class, keys.leaseOfNode(node));
            Ipv4Address address = Ipv4Address.parse(idx.address());
            Lease released = null;
            for (int round = 0; round < 8 && released == null; round++) {
                Optional<Entry> leaseEntry = store.get(keys.lease(address));
                if (leaseEntry.isEmpty()) {
                    break;
                }
                LeaseRecord rec = readLease(leaseEntry.get());
                if (!rec.node().equals(node) || rec.releasedAt() != null) {
                    break;
                }
                LeaseRecord done = new LeaseRecord(Versioned.SCHEMA, rec.address(), rec.node(), rec.keyId(),
                        rec.allocatedAt(), rec.holdUntil(), clock.instant(), false);
                if (store.compareAndSet(keys.lease(address), leaseEntry.get().version(), Json.write(done)).isPresent()) {
                    released = toLease(done);
                }
            }
            store.delete(keys.leaseOfNode(node), idxEntry.get().version());
            return Optional.ofNullable(released);
        }
    }

    @Override
    public Optional<Lease> leaseOf(String node) {
        Optional<Entry> idxEntry = store.get(keys.leaseOfNode(node));
        if (idxEntry.isEmpty()) {
            return Optional.empty();
        }
        NodeLeaseIndex idx = Json.read(idxEntry.get().value(), NodeLeaseIndex.class, keys.leaseOfNode(node));
        return store.get(keys.lease(Ipv4Address.parse(idx.address()))).map(this::readLease)
                .filter(r -> r.node().equals(node) && !r.pending()).map(StoreIpAllocator::toLease);
    }

    @Override
    public List<Lease> leases() {
        List<Lease> out = new ArrayList<>();
        for (KeyVersion kv : store.list(keys.leases())) {
            store.get(kv.key()).map(this::readLease).filter(r -> !r.pending()).map(StoreIpAllocator::toLease)
                    .ifPresent(out::add);
        }
        out.sort((a, b) -> a.address().compareTo(b.address()));
        return out;
    }

    /** The node's lease when it holds one with the same key, its hold extended to {@code holdUntil}. */
    private Optional<Lease> existingFor(String node, String keyId, Instant holdUntil) {
        if (eventual) {
            forgetOld();
            Recent recent = recentByNode.get(node);
            if (recent != null) {
                if (!recent.lease().keyId().equals(keyId)) {
                    throw new AllocationException("the node name " + node + " is held by another key; leave with the"
                            + " old key, revoke the old member, or choose another name");
                }
                return Optional.of(recent.lease());
            }
        }
        String idxKey = keys.leaseOfNode(node);
        Optional<Entry> idxEntry = store.get(idxKey);
        if (idxEntry.isEmpty()) {
            return Optional.empty();
        }
        NodeLeaseIndex idx = Json.read(idxEntry.get().value(), NodeLeaseIndex.class, idxKey);
        if (!idx.keyId().equals(keyId)) {
            // The refusal reaches the joiner: it names no address of the other node.
            throw new AllocationException("the node name " + node + " is held by another key; leave with the old"
                    + " key, revoke the old member, or choose another name");
        }
        Ipv4Address address = Ipv4Address.parse(idx.address());
        for (int round = 0; round < 8; round++) {
            Optional<Entry> leaseEntry = store.get(keys.lease(address));
            if (leaseEntry.isEmpty()) {
                // The pending lease expired before the index was cleaned up; take the address again.
                Optional<Lease> again = tryTake(address, node, keyId, holdUntil, false);
                if (again.isPresent()) {
                    return again;
                }
                store.delete(idxKey, idxEntry.get().version());
                return Optional.empty();
            }
            LeaseRecord rec = readLease(leaseEntry.get());
            if (!rec.node().equals(node) || !rec.keyId().equals(keyId)) {
                store.delete(idxKey, idxEntry.get().version());
                return Optional.empty();
            }
            Instant hold = rec.holdUntil().isAfter(holdUntil) ? rec.holdUntil() : holdUntil;
            if (!rec.pending() && rec.releasedAt() == null && hold.equals(rec.holdUntil())) {
                return Optional.of(toLease(rec));
            }
            LeaseRecord updated = new LeaseRecord(Versioned.SCHEMA, rec.address(), node, keyId, rec.allocatedAt(),
                    hold, null, false);
            if (store.compareAndSet(keys.lease(address), leaseEntry.get().version(), Json.write(updated)).isPresent()) {
                return Optional.of(toLease(updated));
            }
        }
        throw new AllocationException("the lease of " + node + " at " + address + " keeps changing; try again");
    }

    private Optional<Lease> allocateFresh(String node, String keyId, Instant holdUntil) {
        Set<Ipv4Address> reserved = reserved();
        Set<String> taken = new HashSet<>();
        for (KeyVersion kv : store.list(keys.leases())) {
            taken.add(kv.key().substring(keys.leases().length()));
        }
        if (eventual) {
            forgetOld();
            recentAddresses.keySet().forEach(a -> taken.add(a.toString()));
        }
        long span = lastOffset - firstOffset + 1;
        long start = Math.floorMod(hint.get() - firstOffset, span);
        for (long i = 0; i < span; i++) {
            long offset = firstOffset + (start + i) % span;
            Ipv4Address candidate = network.addressAt(offset);
            if (reserved.contains(candidate) || taken.contains(candidate.toString())) {
                continue;
            }
            Optional<Lease> got = tryTake(candidate, node, keyId, holdUntil, false);
            if (got.isPresent()) {
                hint.set(offset + 1);
                return got;
            }
            if (store.get(keys.leaseOfNode(node)).isPresent()) {
                return Optional.empty();
            }
        }
        // Every address has a lease key; reuse one whose hold has ended.
        Instant now = clock.instant();
        for (String address : taken) {
            Ipv4Address candidate = Ipv4Address.parse(address);
            if (reserved.contains(candidate) || !inSlice(candidate)) {
                continue;
            }
            Optional<Entry> e = store.get(keys.lease(candidate));
            if (e.isPresent()) {
                LeaseRecord rec = readLease(e.get());
                if (rec.releasedAt() != null && !now.isBefore(rec.holdUntil())
                        && store.delete(keys.lease(candidate), e.get().version())) {
                    Optional<Lease> got = tryTake(candidate, node, keyId, holdUntil, false);
                    if (got.isPresent()) {
                        return got;
                    }
                }
            }
        }
        throw new AllocationException("overlay network " + network + (span < network.size() - 2 ? " (this lighthouse's "
                + "slice " + range() + ")" : "") + " is full (" + taken.size() + " leases); release members that left, "
                + "or found the network with a larger CIDR");
    }

    /**
     * Takes one address for the node: pending lease, node index, permanent lease.
     *
     * @return the lease, or empty when the address was taken first
     * @throws AllocationException when another key took the node's name meanwhile
     */
    private Optional<Lease> tryTake(Ipv4Address address, String node, String keyId, Instant holdUntil, boolean claim) {
        if (eventual) {
            return tryTakeOnce(address, node, keyId, holdUntil, claim);
        }
        Instant now = clock.instant();
        String leaseKey = keys.lease(address);
        LeaseRecord pending = new LeaseRecord(Versioned.SCHEMA, address.toString(), node, keyId, now, holdUntil, null, true);
        Optional<Entry> pendingEntry = store.putIfAbsent(leaseKey, Json.write(pending), PENDING_TTL);
        if (pendingEntry.isEmpty()) {
            return Optional.empty();
        }
        String idxKey = keys.leaseOfNode(node);
        NodeLeaseIndex idx = new NodeLeaseIndex(Versioned.SCHEMA, node, keyId, address.toString());
        Optional<Entry> idxEntry = store.putIfAbsent(idxKey, Json.write(idx));
        if (idxEntry.isEmpty()) {
            Optional<Entry> theirs = store.get(idxKey);
            boolean ours = theirs.isPresent()
                    && Json.read(theirs.get().value(), NodeLeaseIndex.class, idxKey).equals(idx);
            if (!ours) {
                store.delete(leaseKey, pendingEntry.get().version());
                if (claim) {
                    throw new AllocationException(node + " already holds another address; release it first");
                }
                return Optional.empty();
            }
        }
        LeaseRecord held = new LeaseRecord(Versioned.SCHEMA, address.toString(), node, keyId, now, holdUntil, null, false);
        if (store.compareAndSet(leaseKey, pendingEntry.get().version(), Json.write(held)).isEmpty()) {
            throw new AllocationException("the pending lease of " + address + " for " + node
                    + " changed before it was confirmed; try again");
        }
        return Optional.of(toLease(held));
    }

    /** The eventual-store variant: the lease written once, final, then the index; both remembered. */
    private Optional<Lease> tryTakeOnce(Ipv4Address address, String node, String keyId, Instant holdUntil, boolean claim) {
        Instant now = clock.instant();
        String leaseKey = keys.lease(address);
        LeaseRecord held = new LeaseRecord(Versioned.SCHEMA, address.toString(), node, keyId, now, holdUntil, null, false);
        Optional<Entry> leaseEntry = store.putIfAbsent(leaseKey, Json.write(held));
        if (leaseEntry.isEmpty()) {
            return Optional.empty();
        }
        recentAddresses.put(address, now.plus(memory));
        String idxKey = keys.leaseOfNode(node);
        NodeLeaseIndex idx = new NodeLeaseIndex(Versioned.SCHEMA, node, keyId, address.toString());
        if (store.putIfAbsent(idxKey, Json.write(idx)).isEmpty()) {
            // Another key's index is visible: give the address back (best effort: the store may not show
            // our lease to a conditional delete yet, and then the address stays reserved until released).
            store.delete(leaseKey, leaseEntry.get().version());
            if (claim) {
                throw new AllocationException(node + " already holds another address; release it first");
            }
            return Optional.empty();
        }
        Lease lease = toLease(held);
        recentByNode.put(node, new Recent(lease, now.plus(memory)));
        return Optional.of(lease);
    }

    private boolean inSlice(Ipv4Address a) {
        long o = network.offsetOf(a);
        return o >= firstOffset && o <= lastOffset;
    }

    private LeaseRecord readLease(Entry e) {
        return Json.read(e.value(), LeaseRecord.class, e.key());
    }

    private static Lease toLease(LeaseRecord r) {
        return new Lease(Ipv4Address.parse(r.address()), r.node(), r.keyId(), r.allocatedAt(), r.holdUntil(),
                Optional.ofNullable(r.releasedAt()));
    }
}
