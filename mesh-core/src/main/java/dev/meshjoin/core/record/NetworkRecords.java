package dev.meshjoin.core.record;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the network record as a {@link NetworkView}, and the one place that adds a lighthouse to it. */
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
        for (int round = 0; ; round++) {
            Entry current = store.get(keys.network()).orElseThrow(() -> new MeshException("the network record "
                    + keys.network() + " disappeared while " + lighthouse.name() + " was becoming a lighthouse"));
            NetworkRecord cur = Json.read(current.value(), NetworkRecord.class, keys.network());
            if (!cur.caFingerprint().equals(caFingerprint)) {
                throw new MeshException("the network's CA changed while " + lighthouse.name()
                        + " was becoming a lighthouse; join again");
            }
            List<NetworkRecord.LighthouseEntry> lhs = new ArrayList<>(cur.lighthouses());
            lhs.removeIf(l -> l.name().equals(lighthouse.name()));
            lhs.add(lighthouse.toEntry());
            NetworkRecord next = new NetworkRecord(cur.schema(), cur.network(), cur.cidr(), cur.caType(), cur.caBundle(),
                    cur.caFingerprint(), lhs, cur.founder(), cur.foundedAt(), cur.secretSalt());
            if (store.compareAndSet(keys.network(), current.version(), Json.write(next)).isPresent()) {
                return NetworkView.of(next, keys.network());
            }
            if (round >= ROUNDS) {
                throw new StoreException(store.name(), "add lighthouse to " + keys.network(),
                        "the network record kept changing", true);
            }
        }
    }
}
