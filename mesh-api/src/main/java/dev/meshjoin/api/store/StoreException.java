package dev.meshjoin.api.store;

import dev.meshjoin.api.MeshException;

/**
 * A store operation could not be carried out: the store is unreachable, refused the credentials,
 * or answered something unexpected. The message names the store and the operation so an operator
 * can tell a Cloudflare outage from a full disk. A conditional write that loses its race is
 * <em>not</em> an error: it returns an empty result.
 */
public class StoreException extends MeshException {
    private static final long serialVersionUID = 1L;
    private final String store;
    private final String operation;
    private final boolean retryable;

    public StoreException(String store, String operation, String message, boolean retryable, Throwable cause) {
        super("store " + store + ": " + operation + " failed: " + message, cause);
        this.store = store;
        this.operation = operation;
        this.retryable = retryable;
    }

    public StoreException(String store, String operation, String message, boolean retryable) {
        this(store, operation, message, retryable, null);
    }

    /** The store's {@link BootstrapStore#name()}. */
    public String store() {
        return store;
    }

    /** The operation that failed, such as {@code compareAndSet mesh/prod/network}. */
    public String operation() {
        return operation;
    }

    /** True when the same operation may succeed later (an outage, a rate limit). */
    public boolean retryable() {
        return retryable;
    }
}
