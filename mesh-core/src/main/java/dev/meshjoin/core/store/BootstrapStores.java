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

    /** Opens the store {@code uri} names; see {@link #uri(String)} for what is refused. */
    public static BootstrapStore open(String uri) {
        return open(uri(uri));
    }

    /**
     * Parses a store URI, refusing one without a scheme (a bare path is ambiguous: which adapter,
     * and would a typo create an empty store?) with what to write instead.
     */
    public static URI uri(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri.strip());
        } catch (URISyntaxException e) {
            throw new ConfigurationException("'" + uri + "' is not a store URI: " + e.getMessage()
                    + "; write for example file:/var/lib/meshjoin/store");
        }
        if (parsed.getScheme() == null) {
            throw new ConfigurationException("store URI '" + uri + "' has no scheme; write file:" + uri
                    + " for the file store, or etcd://HOST:2379, cloudflare-kv:env, ... (known schemes: "
                    + schemes() + ")");
        }
        return parsed;
    }

    public static BootstrapStore open(URI uri) {
        if (uri.getScheme() == null) {
            return open(uri.toString());
        }
        for (BootstrapStoreProvider p : providers()) {
            if (p.scheme().equalsIgnoreCase(uri.getScheme())) {
                return p.open(uri);
            }
        }
        throw new ConfigurationException("no store adapter handles '" + uri.getScheme() + ":' URIs; known schemes: "
                + schemes() + ". Add the adapter module to the class path or use one of those");
    }

    /**
     * Opens an existing store for reading only: a store that does not exist yet (a mistyped file
     * store path) is refused rather than created. Stores that cannot tell are opened as usual.
     */
    public static BootstrapStore openExisting(String uri) {
        URI parsed = uri(uri);
        for (BootstrapStoreProvider p : providers()) {
            if (p.scheme().equalsIgnoreCase(parsed.getScheme())) {
                p.checkExists(parsed);
                return p.open(parsed);
            }
        }
        return open(parsed);
    }

    /** The schemes of the adapters on the class path. */
    public static TreeSet<String> schemes() {
        TreeSet<String> known = new TreeSet<>();
        providers().forEach(p -> known.add(p.scheme()));
        return known;
    }

    private static ServiceLoader<BootstrapStoreProvider> providers() {
        return ServiceLoader.load(BootstrapStoreProvider.class, BootstrapStores.class.getClassLoader());
    }
}
