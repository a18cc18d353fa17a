package dev.meshjoin.core.store;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.BootstrapStoreProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Opens a store from a URI by finding the {@link BootstrapStoreProvider} for its scheme with
 * {@link ServiceLoader}: {@code file:/var/lib/mesh} for the embedded file store, or the scheme of
 * any adapter on the class path.
 *
 * <pre>{@code
 * try (BootstrapStore store = BootstrapStores.open("file:/var/lib/meshjoin/store")) { ... }
 * }</pre>
 */
public final class BootstrapStores {
    private BootstrapStores() {
    }

    public static BootstrapStore open(String uri) {
        try {
            return open(new URI(uri));
        } catch (URISyntaxException e) {
            throw new ConfigurationException("'" + uri + "' is not a store URI: " + e.getMessage()
                    + "; write for example file:/var/lib/meshjoin/store");
        }
    }

    public static BootstrapStore open(URI uri) {
        String scheme = uri.getScheme();
        TreeSet<String> known = new TreeSet<>();
        for (BootstrapStoreProvider p : ServiceLoader.load(BootstrapStoreProvider.class, BootstrapStores.class.getClassLoader())) {
            if (p.scheme().equalsIgnoreCase(scheme)) {
                return p.open(uri);
            }
            known.add(p.scheme());
        }
        throw new ConfigurationException("no store adapter handles '" + scheme + ":' URIs; known schemes: " + known
                + ". Add the adapter module to the class path or use one of those");
    }
}
