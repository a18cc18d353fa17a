package dev.meshjoin.store.file;

import java.nio.file.Path;

/**
 * A file of the store does not hold what a complete write of this store would have left. Internal:
 * the store turns it into a {@link dev.meshjoin.api.store.StoreException} naming the operation.
 */
final class DamagedFileException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String reason;

    DamagedFileException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
        this.reason = reason;
    }

    Path file() {
        return file;
    }

    String reason() {
        return reason;
    }
}
