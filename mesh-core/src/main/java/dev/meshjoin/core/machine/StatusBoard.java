package dev.meshjoin.core.machine;

import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayHealth;
import dev.meshjoin.api.overlay.OverlayState;
import dev.meshjoin.core.MeshNodeListener;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's current status and its listeners. Every change is checked against {@link Transitions}
 * and told to the listeners in order, on the thread that made it.
 */
public final class StatusBoard {
    private static final Logger LOG = LoggerFactory.getLogger(StatusBoard.class);

    private final String node;
    private final Clock clock;
    private final List<MeshNodeListener> listeners = new CopyOnWriteArrayList<>();
    private volatile NodeStatus status;

    public StatusBoard(String node, Clock clock, List<MeshNodeListener> listeners) {
        this.node = node;
        this.clock = clock;
        this.listeners.addAll(listeners);
        this.status = new NodeStatus(NodeState.NEW, "built", Optional.empty(), Optional.empty(), false, clock.instant());
    }

    public NodeStatus status() {
        return status;
    }

    public void addListener(MeshNodeListener listener) {
        listeners.add(listener);
    }

    /**
     * Moves to {@code to}.
     *
     * @throws IllegalStateException when the move is not in {@link Transitions}
     */
    public synchronized NodeStatus move(NodeState to, String detail, Throwable cause, Optional<Ipv4Interface> address,
                                        boolean founder) {
        Transitions.check(status.state(), to);
        return publish(new NodeStatus(to, detail, Optional.ofNullable(cause), address, founder, clock.instant()));
    }

    /** Moves to {@code to} when the current state is one of {@code from}; false otherwise. */
    public synchronized boolean moveFrom(java.util.Set<NodeState> from, NodeState to, String detail, Throwable cause) {
        NodeStatus s = status;
        if (!from.contains(s.state()) || !Transitions.allowed(s.state(), to)) {
            return false;
        }
        publish(new NodeStatus(to, detail, Optional.ofNullable(cause), s.address(), s.founder(), clock.instant()));
        return true;
    }

    /**
     * A ready node follows its overlay: degraded, recovered, or failed (then FALLBACK); a joining
     * node says what its overlay is doing while the join waits for it.
     */
    public void followOverlay(OverlayHealth current) {
        if (current.state() == OverlayState.STARTING) {
            moveFrom(EnumSet.of(NodeState.STARTING_OVERLAY), NodeState.STARTING_OVERLAY, "overlay: " + current.detail()
                    + "; waiting for a peer to answer over it", null);
        } else if (current.state() == OverlayState.DEGRADED) {
            moveFrom(EnumSet.of(NodeState.READY), NodeState.DEGRADED, "overlay degraded: " + current.detail(), null);
        } else if (current.state() == OverlayState.UP) {
            moveFrom(EnumSet.of(NodeState.DEGRADED), NodeState.READY, "overlay recovered: " + current.detail(), null);
        } else if (current.state() == OverlayState.FAILED) {
            moveFrom(EnumSet.of(NodeState.READY, NodeState.DEGRADED), NodeState.FALLBACK, "the overlay failed: "
                    + current.detail() + "; use another transport", new OverlayException(current.detail()));
        }
    }

    private NodeStatus publish(NodeStatus next) {
        NodeStatus prev = status;
        status = next;
        if (next.state() == NodeState.FAILED || next.state() == NodeState.FALLBACK) {
            LOG.warn("{}: {} -> {}: {}", node, prev.state(), next.state(), next.detail());
        } else {
            LOG.debug("{}: {} -> {}: {}", node, prev.state(), next.state(), next.detail());
        }
        for (MeshNodeListener l : listeners) {
            try {
                l.onStateChange(prev, next);
            } catch (RuntimeException e) {
                LOG.warn("{}: a state listener failed: {}", node, e.toString());
            }
        }
        return next;
    }
}
