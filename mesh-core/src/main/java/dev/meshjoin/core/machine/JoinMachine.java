package dev.meshjoin.core.machine;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.NodeStatus;

/**
 * Runs a join: enters each step's state and runs it until a step ends the join, all under the
 * join's {@link Deadline}, so that every store call, retry and wait inside is bounded by
 * {@code joinTimeout}. A failure stops what the join started and ends in FAILED (or FALLBACK when
 * the overlay cannot come up); a cancelled join ends in FAILED saying so.
 */
public final class JoinMachine {
    private JoinMachine() {
    }

    /** Runs the join to its end and returns the status it ended in. Never throws for a failed join. */
    public static NodeStatus run(JoinRun run) {
        return run(run, new Discover(run));
    }

    /**
     * Makes a ready member an additional lighthouse of {@code network}: the promotion step, then the
     * overlay (restarted as lighthouse) and the registration, as in a join.
     */
    public static NodeStatus promote(JoinRun run, NetworkView network) {
        run.network = network;
        return run(run, new Promote(run, network));
    }

    private static NodeStatus run(JoinRun run, Step first) {
        try (Deadline.Scope scope = Deadline.after(run.config.joinTimeout).enter()) {
            Step step = first;
            NodeStatus last = null;
            while (step != null) {
                last = run.move(step.state(), step.detail(), null);
                step = step.run();
            }
            return last;
        } catch (RuntimeException | InterruptedException e) {
            run.stopQuietly();
            if (run.cancelled()) {
                return run.end(NodeState.FAILED, "cancelled: " + reasonOf(run, e), new JoinCancelledException(reasonOf(run, e)));
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return run.end(NodeState.FAILED, "interrupted while joining", e);
            }
            if (e instanceof OverlayException) {
                return run.end(NodeState.FALLBACK, "the overlay cannot come up: " + e.getMessage()
                        + "; use another transport", e);
            }
            return run.end(NodeState.FAILED, describe((RuntimeException) e), e);
        }
    }

    private static String reasonOf(JoinRun run, Exception e) {
        return e instanceof JoinCancelledException ? e.getMessage() : run.cancelReason();
    }

    private static String describe(RuntimeException e) {
        return e instanceof MeshException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
