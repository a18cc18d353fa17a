package dev.meshjoin.api.store;

/**
 * A key, value or time-to-live is outside what the store accepts. Raised before anything is sent,
 * so nothing was written.
 */
public class StoreLimitException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreLimitException(String store, String operation, String message) {
        super(store, operation, message, false);
    }
}
