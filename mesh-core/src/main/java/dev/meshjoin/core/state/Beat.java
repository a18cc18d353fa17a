package dev.meshjoin.core.state;

import java.util.List;
import java.util.Objects;

/**
 * What a member tells a lighthouse with every poll: the poll is its heartbeat. The lighthouse
 * keeps it in memory and writes it to the store only in its aggregated presence record.
 *
 * @param node the node's name as it believes it (the lighthouse identifies it by address)
 * @param certificateFingerprint the certificate it runs with
 * @param publicEndpoint where peers reach its overlay daemon, or null
 * @param entryPoint what it offers as an entry point right now (its port accepted a connection), or null
 * @param leaving true in the last poll of a node that leaves the network for good
 */
public record Beat(String node, String certificateFingerprint, String publicEndpoint, EntryPoint entryPoint,
                   boolean leaving) {
    public Beat {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(certificateFingerprint, "certificateFingerprint");
    }

    /** The same beat, saying the node leaves. */
    public Beat goodbye() {
        return new Beat(node, certificateFingerprint, publicEndpoint, null, true);
    }

    /**
     * An entry point as the node checked it.
     *
     * @param publicAddress its detected public address
     * @param port where something accepts connections
     * @param services what it serves there
     */
    public record EntryPoint(String publicAddress, int port, List<String> services) {
        public EntryPoint {
            Objects.requireNonNull(publicAddress, "publicAddress");
            services = List.copyOf(services);
        }
    }
}
