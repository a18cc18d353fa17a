package dev.meshjoin.core;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.core.lifecycle.StateFollower;
import dev.meshjoin.core.lighthouse.LighthouseWatch;
import dev.meshjoin.core.machine.JoinMachine;
import dev.meshjoin.core.machine.JoinRun;
import dev.meshjoin.core.machine.LighthouseDuty;
import dev.meshjoin.core.machine.NodeConfig;
import dev.meshjoin.core.machine.StatusBoard;
import dev.meshjoin.core.record.NetworkView;
import java.util.EnumSet;
import java.util.Optional;

/**
 * The runs of one {@link MeshNode}: the join in progress (one at a time, cancelled by close() and
 * leave()), the run that is ready, and a node's lighthouse duty with the self-promotion it may
 * start. Every change of run happens under {@link #lifecycle}.
 */
final class NodeRuns {
    /** How long close() and leave() wait for a cancelled join to stop before they stop its parts. */
    private static final long CANCEL_WAIT_MS = 800;

    private final NodeConfig config;
    private final StatusBoard board;
    private final Object lifecycle = new Object();
    private volatile JoinRun run;
    private Thread joining;
    private LighthouseDuty duty;

    NodeRuns(NodeConfig config, StatusBoard board) {
        this.config = config;
        this.board = board;
        this.run = new JoinRun(config, board, null);
    }

    /** The current run (a join, a promotion or a rejoin replaces it). */
    JoinRun current() {
        return run;
    }

    /** The watch of the network's lighthouses, while the node is ready and may serve. */
    Optional<LighthouseWatch> lighthouseWatch() {
        LighthouseDuty d = duty;
        return d == null ? Optional.empty() : Optional.of(d.watch());
    }

    /** See {@link MeshNode#join()}. */
    NodeStatus join() {
        JoinRun current;
        synchronized (lifecycle) {
            NodeState s = board.status().state();
            if (joining != null || !EnumSet.of(NodeState.NEW, NodeState.FAILED, NodeState.FALLBACK, NodeState.LEFT).contains(s)) {
                throw new IllegalStateException("node " + config.nodeName + " is " + s + "; join() runs once until it ends");
            }
            current = new JoinRun(config, board, run);
            run = current;
            joining = Thread.currentThread();
        }
        try {
            NodeStatus ended = JoinMachine.run(current);
            if (ended.state() == NodeState.READY) {
                startDuty();
            }
            return ended;
        } finally {
            synchronized (lifecycle) {
                joining = null;
                if (current.cancelled()) {
                    Thread.interrupted(); // close() interrupted this thread to end the join; that is done
                }
                lifecycle.notifyAll();
            }
        }
    }

    /** A node that may serve watches its network's lighthouses once ready (see {@link LighthouseDuty}). */
    private void startDuty() {
        synchronized (lifecycle) {
            if (duty == null) {
                duty = LighthouseDuty.startIfServing(config, () -> run, this::promoteTo).orElse(null);
            }
        }
    }

    private void stopDuty() {
        LighthouseDuty d = duty;
        duty = null;
        if (d != null) {
            d.close();
        }
    }

    /**
     * Makes this ready member an additional lighthouse (its overlay restarts as one); when that
     * fails, it joins again as the member it was.
     *
     * @return true when it now serves as lighthouse
     * @throws ConfigurationException when this node cannot serve (its CA passphrase is not the network's)
     */
    private boolean promoteTo(NetworkView network) {
        JoinRun next;
        synchronized (lifecycle) {
            NodeState s = board.status().state();
            if (joining != null || (s != NodeState.READY && s != NodeState.DEGRADED)) {
                return false;
            }
            run.stopQuietly();
            next = new JoinRun(config, board, run);
            run = next;
            joining = Thread.currentThread();
        }
        try {
            NodeStatus promoted = JoinMachine.promote(next, network);
            if (promoted.state() == NodeState.READY || next.cancelled()) {
                return promoted.state() == NodeState.READY;
            }
            JoinRun again;
            synchronized (lifecycle) {
                again = new JoinRun(config, board, next);
                run = again;
            }
            JoinMachine.run(again);
            if (promoted.cause().orElse(null) instanceof ConfigurationException e) {
                throw e;
            }
            return false;
        } finally {
            synchronized (lifecycle) {
                joining = null;
                if (run.cancelled()) {
                    Thread.interrupted();
                }
                lifecycle.notifyAll();
            }
        }
    }

    /** Cancels a join in progress on another thread and waits briefly for it to end. Holds {@link #lifecycle}. */
    private void cancelJoin(String why) {
        Thread t = joining;
        if (t == null) {
            return;
        }
        run.cancel(why + " was called while the node was " + board.status().state());
        if (t == Thread.currentThread()) {
            return;
        }
        t.interrupt();
        long until = System.nanoTime() + CANCEL_WAIT_MS * 1_000_000;
        try {
            for (long left = CANCEL_WAIT_MS; joining != null && left > 0; left = (until - System.nanoTime()) / 1_000_000) {
                lifecycle.wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** See {@link MeshNode#close()}. */
    void close() {
        synchronized (lifecycle) {
            stopDuty();
            cancelJoin("close()");
            NodeState s = board.status().state();
            if (s == NodeState.LEFT || s == NodeState.NEW) {
                return;
            }
            board.move(NodeState.LEAVING, "stopping", null, board.status().address(), board.status().founder());
            run.stopQuietly();
            board.move(NodeState.LEFT, "stopped", null, board.status().address(), board.status().founder());
        }
    }

    /** See {@link MeshNode#leave()}. */
    void leave() {
        synchronized (lifecycle) {
            stopDuty();
            cancelJoin("leave()");
            NodeStatus before = board.status();
            board.move(NodeState.LEAVING, "leaving the network", null, before.address(), before.founder());
            JoinRun r = run;
            r.follower().ifPresent(StateFollower::goodbye);
            r.stopQuietly();
            Optional<NetworkView> network = r.network();
            if (network.isPresent() && before.state() != NodeState.NEW) {
                if (network.get().isLighthouse(config.nodeName)) {
                    String key = config.keys.member(config.nodeName);
                    config.store.get(key).ifPresent(e -> config.store.delete(key, e.version()));
                } else {
                    // A member writes nothing to the store: its goodbye told a lighthouse, which
                    // removes its member record and releases its address.
                    config.local.forgetMembership();
                }
            }
            board.move(NodeState.LEFT, "left the network", null, before.address(), before.founder());
        }
    }
}
