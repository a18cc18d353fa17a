package dev.meshjoin.core.presence;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.record.EntryPointRecord;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the live entry points of a network: those the lighthouses' presence records show live
 * (see {@link PresenceView}), and any older per-node entry-point record whose expiry has not
 * passed, whatever the store's own time-to-live handling (Cloudflare KV removes expired keys lazily).
 *
 * <pre>{@code
 * List<EntryPointRecord> live = new EntryPoints(store, StoreKeys.of("prod"), Clock.systemUTC()).live();
 * }</pre>
 */
public final class EntryPoints {
    private final BootstrapStore store;
    private final StoreKeys keys;
    private final Clock clock;

    public EntryPoints(BootstrapStore store, StoreKeys keys, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
    }

    /** Live entry points, by node name. A damaged record is skipped, not fatal to the listing. */
    public List<EntryPointRecord> live() {
        java.util.Map<String, EntryPointRecord> byNode = new java.util.TreeMap<>();
        for (EntryPointRecord r : legacy()) {
            byNode.put(r.node(), r);
        }
        java.time.Instant now = clock.instant();
        PresenceView.read(store, keys).forEach((node, s) -> {
            var ep = s.seen().entryPoint();
            if (ep != null && s.liveAt(now)) {
                EntryPointRecord r = new EntryPointRecord(dev.meshjoin.core.record.Versioned.SCHEMA, node,
                        ep.publicAddress(), ep.port(), ep.services(), s.seen().overlayAddress(), s.seen().lastSeen(),
                        s.liveUntil());
                byNode.merge(node, r, (a, b) -> a.publishedAt().isAfter(b.publishedAt()) ? a : b);
            }
        });
        return new ArrayList<>(byNode.values());
    }

    /** Per-node entry-point records, as nodes wrote them before presence went through lighthouses. */
    private List<EntryPointRecord> legacy() {
        List<EntryPointRecord> out = new ArrayList<>();
        for (KeyVersion kv : store.list(keys.entryPoints())) {
            store.get(kv.key()).ifPresent(e -> {
                try {
                    EntryPointRecord r = Json.read(e.value(), EntryPointRecord.class, e.key());
                    if (r.expiresAt().isAfter(clock.instant())) {
                        out.add(r);
                    }
                } catch (Json.CorruptRecordException bad) {
                    org.slf4j.LoggerFactory.getLogger(EntryPoints.class).warn("skipping {}", bad.getMessage());
                }
            });
        }
        out.sort(Comparator.comparing(EntryPointRecord::node));
        return out;
    }
}
