package dev.meshjoin.core;

import java.time.Instant;
import java.util.List;

/**
 * A member that accepts connections from outside the mesh, as published now.
 *
 * @param node its node name
 * @param publicAddress where the outside reaches it
 * @param port the port that accepted connections when it was last checked
 * @param services what it serves there
 * @param overlayAddress its overlay address
 * @param expiresAt when the publication lapses unless the node renews it
 */
public record EntryPoint(String node, String publicAddress, int port, List<String> services, String overlayAddress,
                         Instant expiresAt) {
    public EntryPoint {
        services = List.copyOf(services);
    }
}
