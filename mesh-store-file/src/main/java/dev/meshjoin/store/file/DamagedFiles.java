package dev.meshjoin.store.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The damaged entry files listings have met: each is skipped (so one bad file does not fail every
 * listing of the store), logged once as a warning, and kept here until it reads well or is gone.
 */
final class DamagedFiles {
    private static final System.Logger LOG = System.getLogger(FileBootstrapStore.class.getName());

    private final Map<Path, String> found = new ConcurrentHashMap<>();

    /** Records a damaged file; {@code key} is the key its name spells out, when it does. */
    void found(DamagedFileException e, String key) {
        String reason = e.reason();
        if (!reason.equals(found.put(e.file(), reason))) {
            LOG.log(System.Logger.Level.WARNING, "skipping damaged store file " + e.file()
                    + (key == null ? "" : " (key " + key + ")") + ": " + reason
                    + "; listings leave it out until it is deleted or restored from a backup");
        }
    }

    /** The file read well: whatever was wrong with it is no longer. */
    void healthy(Path file) {
        found.remove(file);
    }

    /** What is damaged now; files deleted since are dropped. */
    Map<Path, String> snapshot() {
        found.keySet().removeIf(p -> !Files.exists(p));
        return new TreeMap<>(found);
    }
}
