package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A node that serves as an entry point, at {@code mesh/<network>/entry/<node>}: one key per node,
 * so publishing never races with another node. Written with a time-to-live and refreshed by the
 * node's heartbeat; readers also ignore it once {@code expiresAt} has passed.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param node the node
 * @param publicAddress its public address
 * @param port the port that accepts connections there (checked before every publish)
 * @param services what it serves there
 * @param overlayAddress its overlay address
 * @param publishedAt when this version was written
 * @param expiresAt when readers stop trusting it
 */
public record EntryPointRecord(int schema, String node, String publicAddress, int port, List<String> services,
                               String overlayAddress, Instant publishedAt, Instant expiresAt) implements Versioned {
    public EntryPointRecord {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(publicAddress, "publicAddress");
        services = List.copyOf(services);
        Objects.requireNonNull(overlayAddress, "overlayAddress");
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
