package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.core.join.Registrar;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.RevocationList;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A network's revocations as read from the store, and the one writer of them. Lighthouses refuse
 * the joins and renewals of a revoked node; every node puts its certificates in Nebula's
 * blocklist.
 *
 * <pre>{@code
 * Revocations.read(store, keys).refuseIfRevoked("worker-7", fingerprint, publicKey);
 * }</pre>
 */
public final class Revocations {
    private static final int ROUNDS = 8;

    private final RevocationList list;
    private final long version;

    private Revocations(RevocationList list, long version) {
        this.list = list;
        this.version = version;
    }

    /** No revocation at all. */
    public static Revocations none(String network) {
        return new Revocations(new RevocationList(Versioned.SCHEMA, network, List.of()), -1);
    }

    /** The network's revocations now; none when the key is absent. */
    public static Revocations read(BootstrapStore store, StoreKeys keys) {
        return store.get(keys.revocations()).map(e -> new Revocations(
                Json.read(e.value(), RevocationList.class, keys.revocations()), e.version()))
                .orElseGet(() -> none(keys.networkName()));
    }

    /** The store version this view was read at, or -1 when there was none; changes with every revocation. */
    public long version() {
        return version;
    }

    public List<RevocationList.Revoked> all() {
        return list.revoked();
    }

    /** The entry of a node, when it was revoked. */
    public Optional<RevocationList.Revoked> of(String node) {
        return list.revoked().stream().filter(r -> r.node().equals(node)).findFirst();
    }

    /** True when the node, this certificate or this key was revoked. */
    public boolean revoked(String node, String fingerprint, byte[] publicKey) {
        return match(node, fingerprint, publicKey).isPresent();
    }

    private Optional<RevocationList.Revoked> match(String node, String fingerprint, byte[] publicKey) {
        String keyId = publicKey == null ? null : Registrar.keyId(publicKey);
        return list.revoked().stream().filter(r -> r.node().equals(node)
                || (fingerprint != null && r.fingerprints().contains(fingerprint))
                || (keyId != null && r.keyIds().contains(keyId))).findFirst();
    }

    /**
     * @throws JoinRefusedException (reason {@code revoked}) saying the node was revoked
     */
    public void refuseIfRevoked(String node, String fingerprint, byte[] publicKey) {
        Optional<RevocationList.Revoked> r = match(node, fingerprint, publicKey);
        if (r.isPresent()) {
            String who = r.get().node().equals(node) ? "node " + node
                    : "the key or certificate of node " + node + " belongs to node " + r.get().node() + ", which";
            throw new JoinRefusedException(RefusalReason.REVOKED, who + " was revoked at " + r.get().revokedAt()
                    + "; it can no longer join or renew. Give it a new name and state directory to admit it again");
        }
    }

    /** Every revoked certificate that has not expired at {@code now}: what Nebula's blocklist must hold. */
    public List<String> blocklist(Instant now) {
        TreeSet<String> out = new TreeSet<>();
        for (RevocationList.Revoked r : list.revoked()) {
            if (r.holdUntil().isAfter(now)) {
                out.addAll(r.fingerprints());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Adds (or widens) the revocation of one node by compare-and-set; entries whose certificates
     * have all expired are dropped, since nothing can use them any more.
     *
     * @return the revocations as written
     */
    public static Revocations revoke(BootstrapStore store, StoreKeys keys, RevocationList.Revoked entry, Instant now) {
        for (int round = 0; ; round++) {
            Optional<Entry> current = store.get(keys.revocations());
            List<RevocationList.Revoked> next = new ArrayList<>();
            RevocationList.Revoked merged = entry;
            if (current.isPresent()) {
                for (RevocationList.Revoked r : Json.read(current.get().value(), RevocationList.class,
                        keys.revocations()).revoked()) {
                    if (r.node().equals(entry.node())) {
                        merged = new RevocationList.Revoked(entry.node(), union(r.keyIds(), entry.keyIds()),
                                union(r.fingerprints(), entry.fingerprints()), r.revokedAt(),
                                r.holdUntil().isAfter(entry.holdUntil()) ? r.holdUntil() : entry.holdUntil());
                    } else if (r.holdUntil().isAfter(now)) {
                        next.add(r);
                    }
                }
            }
            next.add(merged);
            RevocationList list = new RevocationList(Versioned.SCHEMA, keys.networkName(), next);
            byte[] bytes = Json.write(list);
            Optional<Entry> written = current.isEmpty() ? store.putIfAbsent(keys.revocations(), bytes)
                    : store.compareAndSet(keys.revocations(), current.get().version(), bytes);
            if (written.isPresent()) {
                return new Revocations(list, written.get().version());
            }
            if (round >= ROUNDS) {
                throw new StoreException(store.name(), "revoke " + entry.node(), "the revocations kept changing", true);
            }
        }
    }

    private static List<String> union(Collection<String> a, Collection<String> b) {
        TreeSet<String> s = new TreeSet<>(a);
        s.addAll(b);
        return List.copyOf(s);
    }

    @Override
    public String toString() {
        return "Revocations[" + list.revoked().size() + " nodes]";
    }
}
