package dev.meshjoin.core;

/** Told of every state change of a {@link MeshNode}, in order, on the thread that caused it. */
@FunctionalInterface
public interface MeshNodeListener {
    void onStateChange(NodeStatus previous, NodeStatus current);
}
