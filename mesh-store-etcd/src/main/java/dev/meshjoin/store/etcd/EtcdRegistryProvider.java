package dev.meshjoin.store.etcd;

import dev.meshjoin.api.registry.ServiceRegistry;
import dev.meshjoin.api.registry.ServiceRegistryProvider;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.ForwardingBootstrapStore;
import java.util.Optional;

/** Chooses {@link EtcdServiceRegistry} for a node whose bootstrap store is etcd. */
public final class EtcdRegistryProvider implements ServiceRegistryProvider {

    @Override
    public Optional<ServiceRegistry> open(BootstrapStore store, Context context) {
        BootstrapStore s = store;
        while (s instanceof ForwardingBootstrapStore f) {
            s = f.delegate();
        }
        if (!(s instanceof EtcdBootstrapStore etcd)) {
            return Optional.empty();
        }
        return Optional.of(EtcdServiceRegistry.start(etcd.endpoints().get(0), etcd.keyPrefix(), context.network(),
                context.node(), context.overlayAddress(), context.pollInterval()));
    }
}
