package dev.meshjoin.core.state;

import dev.meshjoin.api.registry.ServiceInstance;
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
 * @param services the service instances it offers on its overlay address; null (left out of the
 *     JSON, as older members send it) when it offers none
 * @param load the load it reports with them, or null with no services
 */
public record Beat(String node, String certificateFingerprint, String publicEndpoint, EntryPoint entryPoint,
                   boolean leaving, List<ServiceInstance> services, Double load) {
    public Beat {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(certificateFingerprint, "certificateFingerprint");
        services = services == null || services.isEmpty() ? null : List.copyOf(services);
        load = services == null || load == null || !(load >= 0) || load.isInfinite() ? null : load;
    }

    /** A beat that offers no services, as members before the registry sent it. */
    public Beat(String node, String certificateFingerprint, String publicEndpoint, EntryPoint entryPoint, boolean leaving) {
        this(node, certificateFingerprint, publicEndpoint, entryPoint, leaving, null, null);
    }

    /** The same beat, saying the node leaves (and so offers nothing any more). */
    public Beat goodbye() {
        return new Beat(node, certificateFingerprint, publicEndpoint, null, true);
    }

    /** The same beat offering {@code offered} with {@code reportedLoad}. */
    public Beat withServices(List<ServiceInstance> offered, double reportedLoad) {
        return new Beat(node, certificateFingerprint, publicEndpoint, entryPoint, leaving, offered, reportedLoad);
    }

    /** The services offered, empty when none. */
    public List<ServiceInstance> offered() {
        return services == null ? List.of() : services;
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
