package dev.meshjoin.core;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.core.machine.NodeConfig;
import dev.meshjoin.core.registry.LighthouseRegistry;

/** Wires a node's registry to its runs: the lighthouses it follows, its own state service, its address. */
final class Registries {
    private Registries() {
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
