package dev.meshjoin.core.machine;

import static dev.meshjoin.core.NodeState.DEGRADED;
import static dev.meshjoin.core.NodeState.DISCOVERING;
import static dev.meshjoin.core.NodeState.ELECTING;
import static dev.meshjoin.core.NodeState.FAILED;
import static dev.meshjoin.core.NodeState.FALLBACK;
import static dev.meshjoin.core.NodeState.FOUNDING;
import static dev.meshjoin.core.NodeState.JOINING;
import static dev.meshjoin.core.NodeState.LEAVING;
import static dev.meshjoin.core.NodeState.LEFT;
import static dev.meshjoin.core.NodeState.NEW;
import static dev.meshjoin.core.NodeState.PROMOTING;
import static dev.meshjoin.core.NodeState.READY;
import static dev.meshjoin.core.NodeState.RECOVERING;
import static dev.meshjoin.core.NodeState.REGISTERING;
import static dev.meshjoin.core.NodeState.STARTING_OVERLAY;

import dev.meshjoin.core.NodeState;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The moves a node may make, declared once. Every state change of a node is checked here; a move
 * not in the table is a bug and throws. A state may move to itself where its detail changes
 * while it waits (an election that waits for a claim, a founder confirming on an eventual store, a
 * joiner whose lighthouses do not answer yet, an overlay coming up).
 *
 * <pre>
 * NEW → DISCOVERING ─┬─ lighthouse of the record ──→ RECOVERING ─┐
 *                    ├─ asked to serve, not listed → PROMOTING ──┤
 *                    ├─ network exists ───────────→ JOINING ─────┼─→ STARTING_OVERLAY → REGISTERING → READY ⇄ DEGRADED
 *                    └─ no network → ELECTING → FOUNDING ────────┘
 * any working state → FAILED | FALLBACK · any state → LEAVING → LEFT · FAILED, FALLBACK, LEFT → DISCOVERING
 * </pre>
 */
public final class Transitions {
    private static final Map<NodeState, Set<NodeState>> ALLOWED = new EnumMap<>(NodeState.class);

    static {
        allow(NEW, DISCOVERING, LEAVING);
        allow(DISCOVERING, DISCOVERING, ELECTING, RECOVERING, PROMOTING, JOINING, FAILED, FALLBACK, LEAVING);
        allow(ELECTING, ELECTING, FOUNDING, RECOVERING, PROMOTING, JOINING, FAILED, FALLBACK, LEAVING);
        // A founder that lost the race joins the winner's network.
        allow(FOUNDING, FOUNDING, DISCOVERING, STARTING_OVERLAY, FAILED, FALLBACK, LEAVING);
        allow(RECOVERING, STARTING_OVERLAY, FAILED, FALLBACK, LEAVING);
        allow(PROMOTING, STARTING_OVERLAY, FAILED, FALLBACK, LEAVING);
        allow(JOINING, JOINING, STARTING_OVERLAY, FAILED, FALLBACK, LEAVING);
        allow(STARTING_OVERLAY, STARTING_OVERLAY, REGISTERING, FAILED, FALLBACK, LEAVING);
        allow(REGISTERING, READY, FAILED, FALLBACK, LEAVING);
        // A ready member that may serve promotes itself when the network is short of lighthouses.
        allow(READY, DEGRADED, PROMOTING, FALLBACK, LEAVING);
        allow(DEGRADED, READY, PROMOTING, FALLBACK, LEAVING);
        allow(LEAVING, LEFT);
        allow(LEFT, DISCOVERING, LEAVING);
        allow(FAILED, DISCOVERING, LEAVING);
        allow(FALLBACK, DISCOVERING, LEAVING);
    }

    private Transitions() {
    }

    private static void allow(NodeState from, NodeState... to) {
        Set<NodeState> set = EnumSet.noneOf(NodeState.class);
        set.addAll(java.util.List.of(to));
        ALLOWED.put(from, set);
    }

    /** True when a node may move from {@code from} to {@code to}. */
    public static boolean allowed(NodeState from, NodeState to) {
        return ALLOWED.getOrDefault(from, Set.of()).contains(to);
    }

    /** The states {@code from} may move to. */
    public static Set<NodeState> from(NodeState from) {
        return Set.copyOf(ALLOWED.getOrDefault(from, Set.of()));
    }

    /** @throws IllegalStateException naming both states when the move is not declared */
    public static void check(NodeState from, NodeState to) {
        if (!allowed(from, to)) {
            throw new IllegalStateException("illegal state change " + from + " -> " + to + "; allowed from " + from
                    + ": " + from(from));
        }
    }
}
