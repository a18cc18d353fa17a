package dev.meshjoin.store.etcd;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import java.net.URI;

/**
 * Opens an {@link EtcdBootstrapStore} from {@code etcd://HOST:PORT[/KEY_PREFIX]}; add
 * {@code ?tls=true} for an https client URL. More endpoints and timeouts go through the builder.
 */
public final class EtcdStoreProvider implements BootstrapStoreProvider {

    @Override
    public String scheme() {
        return "etcd";
    }

    @Override
    public BootstrapStore open(URI uri) {
        if (!"etcd".equalsIgnoreCase(uri.getScheme()) || uri.isOpaque() || uri.getHost() == null) {
            throw new ConfigurationException("expected etcd://HOST:PORT[/KEY_PREFIX], got " + uri);
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigurationException("an etcd URI must not carry credentials");
        }
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        boolean tls;
        switch (query) {
            case "", "tls=false" -> tls = false;
            case "tls=true" -> tls = true;
            default -> throw new ConfigurationException("unknown etcd URI query '" + query + "'; accepted: tls=true");
        }
        int port = uri.getPort() == -1 ? 2379 : uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        String prefix = path.startsWith("/") ? path.substring(1) : path;
        return EtcdBootstrapStore.builder()
                .endpoint(URI.create((tls ? "https" : "http") + "://" + uri.getHost() + ":" + port))
                .keyPrefix(prefix)
                .build();
    }
}
