package dev.meshjoin.api.overlay;

import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of an overlay's health.
 *
 * @param state the current state
 * @param detail a human-readable reason for the state, never a secret
 * @param since when the overlay entered this state
 */
public record OverlayHealth(OverlayState state, String detail, Instant since) {
    public OverlayHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(since, "since");
    }
}
