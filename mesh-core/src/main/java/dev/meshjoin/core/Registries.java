package dev.meshjoin.core;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.core.machine.NodeConfig;
import dev.meshjoin.api.registry.ServiceRegistry;
import dev.meshjoin.api.registry.ServiceRegistryProvider;
import dev.meshjoin.core.registry.LighthouseRegistry;
import java.util.Optional;
import java.util.ServiceLoader;

/** Wires a node's registry to its runs: the lighthouses it follows, its own state service, its address. */
final class Registries {
    private Registries() {
    }

    /**
     * The registry a node uses: one a {@link ServiceRegistryProvider} opens on the node's store (the
     * etcd registry on an etcd store), else {@code lighthouses}.
     */
    static ServiceRegistry choose(NodeConfig config, NodeRuns runs, LighthouseRegistry lighthouses) {
        ServiceRegistryProvider.Context ctx = new ServiceRegistryProvider.Context(config.keys.networkName(),
                config.nodeName, () -> runs.current().certificate().map(c -> c.address().toString()), config.pollInterval);
        for (ServiceRegistryProvider p : ServiceLoader.load(ServiceRegistryProvider.class, Registries.class.getClassLoader())) {
            Optional<ServiceRegistry> r = p.open(config.store, ctx);
            if (r.isPresent()) {
                return r.get();
            }
        }
        return lighthouses;
    }

    /** @param pollNow polls the lighthouses now, so that a changed announcement is seen at once */
    static LighthouseRegistry lighthouses(NodeConfig config, NodeRuns runs, Runnable pollNow) {
        LighthouseRegistry registry = new LighthouseRegistry(config.services, config.stateChannel, config.clock,
                config.pollInterval, () -> runs.current().stateService(), () -> runs.current().stateServices(),
                () -> runs.current().certificate().map(HostCertificate::address));
        config.services.onChange(() -> registry.soon(pollNow));
        return registry;
    }
}
