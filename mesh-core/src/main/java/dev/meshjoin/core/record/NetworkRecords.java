package dev.meshjoin.core.record;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Reads the network record as a {@link NetworkView}, and the one writer of its changes after the
 * founding: adding a lighthouse, marking one down or up again, changing the CA bundle. Every change
 * is a compare-and-set that keeps the other fields as they are.
 */
public final class NetworkRecords {
    private static final int ROUNDS = 8;

    private NetworkRecords() {
    }

    /** The network record, parsed; empty when the network does not exist yet. */
    public static Optional<NetworkView> read(BootstrapStore store, StoreKeys keys) {
        return store.get(keys.network()).map(e -> NetworkView.read(e.value(), keys.network()));
    }

    /**
     * Adds (or replaces) one lighthouse in the network record by compare-and-set, keeping every
     * other field as it is.
     *
     * @param caFingerprint the CA the caller opened; the add is refused when the record names another
     * @return the record as written
     */
    public static NetworkView addLighthouse(BootstrapStore store, StoreKeys keys, String caFingerprint,
                                            NetworkView.LighthouseView lighthouse) {
        return update(store, keys, lighthouse.name() + " becoming a lighthouse", cur -> {
            if (!cur.caFingerprint().equals(caFingerprint)) {
                throw new MeshException("the network's CA changed while " + lighthouse.name()
                        + " was becoming a lighthouse; join again");
            }
            List<NetworkRecord.LighthouseEntry> lhs = new ArrayList<>(cur.lighthouses());
            lhs.removeIf(l -> l.name().equals(lighthouse.name()));
            lhs.add(lighthouse.toEntry());
            return withLighthouses(cur, lhs);
        });
    }

    /**
     * Marks one lighthouse down since {@code since}, or live again with null; no write when the
     * record already says so (every watcher may decide the same at once).
     *
     * @return the record as it is afterwards
     */
    public static NetworkView markDown(BootstrapStore store, StoreKeys keys, String lighthouse, Instant since) {
        return update(store, keys, "mark lighthouse " + lighthouse + (since == null ? " live" : " down"), cur -> {
            List<NetworkRecord.LighthouseEntry> lhs = new ArrayList<>();
            boolean changed = false;
            for (NetworkRecord.LighthouseEntry l : cur.lighthouses()) {
                boolean down = l.downSince() != null;
                if (l.name().equals(lighthouse) && down != (since != null)) {
                    lhs.add(new NetworkRecord.LighthouseEntry(l.name(), l.overlayAddress(), l.endpoints(),
                            l.signingEndpoint(), since));
                    changed = true;
                } else {
                    lhs.add(l);
                }
            }
            return changed ? withLighthouses(cur, lhs) : cur;
        });
    }

    /**
     * Applies {@code change} to the current record by compare-and-set, reading again when another
     * writer came first. A change that returns its argument writes nothing.
     *
     * @param what for the messages: what the change does
     * @return the record as it is afterwards
     */
    public static NetworkView update(BootstrapStore store, StoreKeys keys, String what, UnaryOperator<NetworkRecord> change) {
        for (int round = 0; ; round++) {
            Entry current = store.get(keys.network()).orElseThrow(() -> new MeshException("the network record "
                    + keys.network() + " is missing from " + store.name() + " (needed to " + what + ")"));
            NetworkRecord cur = Json.read(current.value(), NetworkRecord.class, keys.network());
            NetworkRecord next = change.apply(cur);
            if (next == cur) {
                return NetworkView.of(cur, keys.network());
            }
            if (store.compareAndSet(keys.network(), current.version(), Json.write(next)).isPresent()) {
                return NetworkView.of(next, keys.network());
            }
            if (round >= ROUNDS) {
                throw new StoreException(store.name(), what + " in " + keys.network(), "the network record kept changing",
                        true);
            }
        }
    }

    /**
     * Writes the record again as it stands (compare-and-set, one try): through a checked store view
     * of a lighthouse that holds the network secret this adds the MAC that a writer without the
     * secret (meshctl ca rotate, say) left out, so joiners with only the secret accept it again.
     *
     * @return true when it was written
     */
    public static boolean reseal(BootstrapStore store, StoreKeys keys) {
        Optional<Entry> e = store.get(keys.network());
        return e.isPresent() && store.compareAndSet(keys.network(), e.get().version(), e.get().value()).isPresent();
    }

    private static NetworkRecord withLighthouses(NetworkRecord cur, List<NetworkRecord.LighthouseEntry> lhs) {
        return new NetworkRecord(cur.schema(), cur.network(), cur.cidr(), cur.caType(), cur.caBundle(),
                cur.caFingerprint(), lhs, cur.founder(), cur.foundedAt(), cur.secretSalt());
    }
}
