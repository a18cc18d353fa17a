package dev.meshjoin.api.registry;

import java.util.List;
import java.util.function.Consumer;

/**
 * Which node offers which service. A node announces the instances it offers on its own overlay
 * address and withdraws them; any node looks up the live instances of a name, or watches a name.
 * An instance is live while its node keeps announcing it: a node that stops (crashes, loses its
 * network, is revoked) drops out by itself.
 *
 * <pre>{@code
 * ServiceRegistry registry = node.registry();
 * registry.announce(ServiceInstance.of("echo", 8080));
 * List<LiveInstance> echoes = registry.lookup("echo");
 * }</pre>
 */
public interface ServiceRegistry {

    /**
     * Offers an instance on this node's overlay address; replaces an earlier announcement of the
     * same name and port. Others see it after this node's next report (it is sent at once).
     *
     * @throws RegistryException when this node already announces the most instances it may
     */
    void announce(ServiceInstance instance);

    /** Withdraws every instance of {@code name} this node announced; others stop seeing them after its next report. */
    void withdraw(String name);

    /** What this node announces now. */
    List<ServiceInstance> announced();

    /** Sets what this node reports as its load with its announcements (default {@link LoadReporter#systemLoad()}). */
    void reportLoad(LoadReporter reporter);

    /**
     * The live instances of {@code name} across the network, in no particular order; empty when
     * nobody offers it.
     *
     * @throws RegistryException when the registry cannot be reached (no lighthouse answered)
     */
    List<LiveInstance> lookup(String name);

    /**
     * Every live instance of every service, for an operator's listing ({@code meshctl services}).
     * A registry that cannot list everything in one go says so; the lighthouses' listing is read
     * from their records in the store instead.
     *
     * @throws RegistryException when the registry cannot be reached or cannot list
     */
    default List<LiveInstance> lookupAll() {
        throw new RegistryException("this registry cannot list every service; look up one by name");
    }

    /**
     * Tells {@code listener} the live instances of {@code name} now and again whenever the set
     * changes (an instance comes or goes; a load figure alone is no change), from a background
     * thread, until the returned handle is closed.
     */
    Watch watch(String name, Consumer<List<LiveInstance>> listener);

    /** A running watch. */
    interface Watch extends AutoCloseable {
        /** Stops the watch; the listener is not called after this returns. */
        @Override
        void close();
    }
}
