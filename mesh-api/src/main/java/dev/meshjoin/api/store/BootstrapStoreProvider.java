package dev.meshjoin.api.store;

import java.net.URI;

/**
 * Makes a {@link BootstrapStore} from a URI such as {@code file:/var/lib/mesh} or
 * {@code cloudflare-kv:}; registered in {@code META-INF/services} so that {@code meshctl} and
 * hosts that configure the store by text can find it with {@link java.util.ServiceLoader}.
 */
public interface BootstrapStoreProvider {

    /** The URI scheme this provider handles, such as {@code file}. */
    String scheme();

    /** Opens the store the URI names. Settings a URI cannot carry come from the environment. */
    BootstrapStore open(URI uri);

    /**
     * Refuses, before anything is created, a URI naming a store that does not exist, for commands
     * that only read (a mistyped path must not become an empty store). The default accepts every
     * URI: a remote store cannot tell without a request, and an empty one reads as empty.
     *
     * @throws dev.meshjoin.api.ConfigurationException naming the store and what to check
     */
    default void checkExists(URI uri) {
    }
}
