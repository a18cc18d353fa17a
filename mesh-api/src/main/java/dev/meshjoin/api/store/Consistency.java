package dev.meshjoin.api.store;

import java.time.Duration;
import java.util.Objects;

/**
 * What a store promises about the visibility of writes; the core reads it to choose its election
 * and allocation strategy.
 *
 * <ul>
 *   <li>{@link Model#LINEARIZABLE}: once a write returns, every later read anywhere sees it, and
 *       conditional writes are atomic (the file store, etcd, D1).</li>
 *   <li>{@link Model#EVENTUAL}: a write may take up to {@link #propagationBound()} to reach every
 *       reader, and a conditional write is only checked against the writer's own, possibly stale,
 *       view (Cloudflare KV: 60 s). The core then confirms an election by re-reading after the bound,
 *       and lets a single writer allocate addresses.</li>
 * </ul>
 */
public record Consistency(Model model, Duration propagationBound) {

    /** The two models meshjoin distinguishes. */
    public enum Model { LINEARIZABLE, EVENTUAL }

    public Consistency {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(propagationBound, "propagationBound");
        if (propagationBound.isNegative()) {
            throw new IllegalArgumentException("propagation bound must not be negative");
        }
        if (model == Model.LINEARIZABLE && !propagationBound.isZero()) {
            throw new IllegalArgumentException("a linearizable store has no propagation delay");
        }
    }

    public static Consistency linearizable() {
        return new Consistency(Model.LINEARIZABLE, Duration.ZERO);
    }

    public static Consistency eventual(Duration propagationBound) {
        return new Consistency(Model.EVENTUAL, propagationBound);
    }

    public boolean isLinearizable() {
        return model == Model.LINEARIZABLE;
    }
}
