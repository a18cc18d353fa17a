package dev.meshjoin.core.record;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import java.util.Optional;

/** The one place that writes a member record: put-if-absent, else compare-and-set, a few rounds. */
public final class Members {
    private static final int ROUNDS = 5;

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
        }
        return false;
    }
}
