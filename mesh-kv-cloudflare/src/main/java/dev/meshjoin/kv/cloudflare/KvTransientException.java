package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.api.store.StoreException;

/**
 * A request failed in a way that may pass (a 5xx, a network failure, the account's rate limit):
 * the one kind of failure the store's retry loop retries. For a write it also means "may have
 * landed"; the next attempt checks the metadata before it writes again.
 */
final class KvTransientException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String problem;

    KvTransientException(String store, String operation, String message, Throwable cause) {
        super(store, operation, message, true, cause);
        this.problem = message;
    }

    /** The problem alone, without the store and operation. */
    String problem() {
        return problem;
    }
}
