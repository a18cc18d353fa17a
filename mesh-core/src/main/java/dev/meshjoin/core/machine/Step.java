package dev.meshjoin.core.machine;

import dev.meshjoin.core.NodeState;

/**
 * One state of the join: the machine enters {@link #state()} (telling listeners {@link #detail()}),
 * runs the step, and goes on with the step it returns.
 */
public interface Step {
    /** The state this step is. */
    NodeState state();

    /** What the node is doing in it, for listeners; never a secret. */
    String detail();

    /**
     * Does this step's work.
     *
     * @return the next step, or null when the join has ended (after {@link Ready})
     */
    Step run() throws InterruptedException;
}
