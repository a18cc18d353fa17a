package dev.meshjoin.core.presence;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.PresenceRecord;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is live according to the lighthouses' aggregated presence records: for each node, the
 * freshest sighting of any lighthouse. One list and one read per lighthouse.
 */
public final class PresenceView {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceView.class);

    /**
     * One node's freshest sighting.
     *
     * @param seen what the lighthouse recorded
     * @param liveUntil until when it counts as live
     */
    public record Sighting(PresenceRecord.Seen seen, Instant liveUntil) {
        public boolean liveAt(Instant now) {
            return liveUntil.isAfter(now);
        }
    }

    private PresenceView() {
    }

    /** The freshest sighting of every node, by name. A damaged record is skipped and reported. */
    public static Map<String, Sighting> read(BootstrapStore store, StoreKeys keys) {
        Map<String, Sighting> out = new TreeMap<>();
        for (KeyVersion kv : store.list(keys.presences())) {
            store.get(kv.key()).ifPresent(e -> {
                try {
                    PresenceRecord r = Json.read(e.value(), PresenceRecord.class, e.key());
                    for (PresenceRecord.Seen s : r.members()) {
                        Sighting next = new Sighting(s, s.lastSeen().plusSeconds(r.liveForSeconds()));
                        out.merge(s.node(), next, (a, b) -> a.seen().lastSeen().isAfter(b.seen().lastSeen()) ? a : b);
                    }
                } catch (Json.CorruptRecordException bad) {
                    LOG.warn("skipping {}", bad.getMessage());
                }
            });
        }
        return out;
    }
}
