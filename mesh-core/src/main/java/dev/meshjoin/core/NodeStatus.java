package dev.meshjoin.core;

import dev.meshjoin.api.net.Ipv4Interface;
import java.time.Instant;
import java.util.Optional;

/**
 * A node's state with what goes with it.
 *
 * @param state the state
 * @param detail a human-readable line about it; never a secret
 * @param cause the failure, for {@link NodeState#FAILED} and {@link NodeState#FALLBACK}
 * @param address the node's overlay address once it has one
 * @param founder whether this node founded (or recovered as founder of) the network
 * @param at when the state was entered
 */
public record NodeStatus(NodeState state, String detail, Optional<Throwable> cause, Optional<Ipv4Interface> address,
                         boolean founder, Instant at) {
}
