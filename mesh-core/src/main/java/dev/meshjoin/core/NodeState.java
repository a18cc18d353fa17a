package dev.meshjoin.core;

/** The states of {@link MeshNode#join()}, in the order a successful join passes them. */
public enum NodeState {
    /** Built, not joined yet. */
    NEW,
    /** Reading the network record and this node's state directory. */
    DISCOVERING,
    /** No network yet: competing to found it, or waiting for another node's claim to end. */
    ELECTING,
    /** Won the election: creating the CA, taking the first address, writing the network record. */
    FOUNDING,
    /** Restarted lighthouse (or founder): taking its role back from the state directory and the store. */
    RECOVERING,
    /** Becoming an additional lighthouse of an existing network: opening its CA, adding itself to the record. */
    PROMOTING,
    /** Asking a lighthouse for a certificate. */
    JOINING,
    /** Bringing the overlay up and waiting until a peer answers. */
    STARTING_OVERLAY,
    /** Writing this node's member record. */
    REGISTERING,
    /** On the mesh. */
    READY,
    /** Was ready; the overlay lost its peers or daemon and is recovering. */
    DEGRADED,
    /** {@link MeshNode#close()} or {@link MeshNode#leave()} is running. */
    LEAVING,
    /** Stopped; the node can be rebuilt and join again. */
    LEFT,
    /** The join failed; {@link NodeStatus#cause()} says why. Nothing left behind blocks a later join. */
    FAILED,
    /**
     * The overlay cannot come up here: the host application should use another transport. The node
     * holds a valid membership and may retry later.
     */
    FALLBACK;

    /** True for states a join ends in. */
    public boolean terminal() {
        return this == READY || this == FAILED || this == FALLBACK || this == LEFT;
    }
}
