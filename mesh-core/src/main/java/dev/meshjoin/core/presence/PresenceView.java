package dev.meshjoin.core.presence;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.PresenceRecord;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
        return sightings(records(store, keys));
    }

    /** Every lighthouse's presence record; a damaged one is skipped and reported. */
    public static List<PresenceRecord> records(BootstrapStore store, StoreKeys keys) {
        List<PresenceRecord> out = new ArrayList<>();
        for (KeyVersion kv : store.list(keys.presences())) {
            store.get(kv.key()).ifPresent(e -> {
                try {
                    out.add(Json.read(e.value(), PresenceRecord.class, e.key()));
                } catch (Json.CorruptRecordException bad) {
                    LOG.warn("skipping {}", bad.getMessage());
                }
            });
        }
        return out;
    }

    /** The freshest sighting of every node in {@code records}, by name. */
    public static Map<String, Sighting> sightings(List<PresenceRecord> records) {
        Map<String, Sighting> out = new TreeMap<>();
        for (PresenceRecord r : records) {
            for (PresenceRecord.Seen s : r.members()) {
                Sighting next = new Sighting(s, s.lastSeen().plusSeconds(r.liveForSeconds()));
                out.merge(s.node(), next, (a, b) -> a.seen().lastSeen().isAfter(b.seen().lastSeen()) ? a : b);
            }
        }
        return out;
    }

    /**
     * Which nodes run now, each with the lighthouse that says so: a lighthouse's record lists the
     * members polling it now (it drops one silent for four polls and rewrites the record at once),
     * and it counts only while that lighthouse keeps it current — rewritten at least every half of
     * {@code liveForSeconds} — and while the network record does not mark it down (the lighthouse
     * watch does that to one unreachable for its grace period).
     *
     * @param down the lighthouses the network record marks down
     */
    public static Map<String, String> running(List<PresenceRecord> records, Instant now, java.util.Set<String> down) {
        Map<String, String> out = new TreeMap<>();
        for (PresenceRecord r : records) {
            if (r.writtenAt().plusSeconds(r.liveForSeconds()).isAfter(now) && !down.contains(r.lighthouse())) {
                r.members().forEach(s -> out.putIfAbsent(s.node(), r.lighthouse()));
            }
        }
        return out;
    }
}
