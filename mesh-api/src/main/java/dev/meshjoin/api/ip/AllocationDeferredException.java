package dev.meshjoin.api.ip;

import java.time.Instant;

/**
 * No address can be allocated <em>yet</em>: the allocator must wait until {@link #retryAt()} (a
 * lighthouse restarted on an eventually consistent store waits until its own earlier allocations
 * are visible). A join refused for this reason is worth asking again.
 */
public class AllocationDeferredException extends AllocationException {
    private static final long serialVersionUID = 1L;
    private final Instant retryAt;

    public AllocationDeferredException(String message, Instant retryAt) {
        super(message);
        this.retryAt = retryAt;
    }

    /** When allocation is expected to work again. */
    public Instant retryAt() {
        return retryAt;
    }
}
