package dev.meshjoin.api.registry;

import dev.meshjoin.api.store.BootstrapStore;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A registry that lives in a store of its own kind (etcd's leases and watches, say), found with
 * {@link java.util.ServiceLoader}: a node whose bootstrap store one provider serves uses that
 * registry instead of the default through the lighthouses.
 */
public interface ServiceRegistryProvider {

    /**
     * The registry for a node on {@code store}, or empty when this provider does not serve that
     * store. Decorators ({@link dev.meshjoin.api.store.ForwardingBootstrapStore}) are looked through.
     */
    Optional<ServiceRegistry> open(BootstrapStore store, Context context);

    /**
     * Who asks.
     *
     * @param network the network's name
     * @param node this node's name
     * @param overlayAddress this node's overlay address, once it has one
     * @param pollInterval how often the node reports (instances of a silent node expire after 2.5 of it)
     */
    record Context(String network, String node, Supplier<Optional<String>> overlayAddress, Duration pollInterval) {
    }
}
