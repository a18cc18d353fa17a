package dev.meshjoin.core.record;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import java.time.Duration;
import java.util.Optional;

/** The one place that writes a member record: put-if-absent, else compare-and-set, a few rounds. */
public final class Members {
    private static final int ROUNDS = 5;
    /** Longer than KV's one write per second per key. */
    public static final Duration EVENTUAL_WRITE_SLOT = Duration.ofMillis(1100);

    private Members() {
    }

    /**
     * Writes {@code record} at its member key, over whatever is there.
     *
     * @return false when the record kept changing under this writer for every round
     */
    public static boolean upsert(BootstrapStore store, StoreKeys keys, MemberRecord record) {
        String key = keys.member(record.node());
        byte[] bytes = Json.write(record);
        for (int round = 0; round < ROUNDS; round++) {
            Optional<Entry> current = store.get(key);
            boolean written = current.isEmpty() ? store.putIfAbsent(key, bytes).isPresent()
                    : store.compareAndSet(key, current.get().version(), bytes).isPresent();
            if (written) {
                return true;
            }
            if (!store.consistency().isLinearizable() && round + 1 < ROUNDS) {
                // Another writer (the lighthouse admitting this node) wrote the key moments ago, maybe
                // still invisible here; an eventual store such as KV takes one write per second per key
                // and reports a write inside that second as a lost race. Try again once the slot is free.
                try {
                    Thread.sleep(EVENTUAL_WRITE_SLOT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }
}
