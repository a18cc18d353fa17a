package dev.meshjoin.api.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * A live instance of a service, as a lookup finds it.
 *
 * @param instance what its node announced
 * @param node the name of the node offering it
 * @param overlayAddress that node's overlay address, where the instance listens on {@code instance.port()}
 * @param load the load its node reported with its last poll (0 when it reports none); lower is idler
 * @param lastSeen when its node was last heard from, by the clock of the node that looked it up
 */
public record LiveInstance(ServiceInstance instance, String node, String overlayAddress, double load, Instant lastSeen) {
    public LiveInstance {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(overlayAddress, "overlayAddress");
        Objects.requireNonNull(lastSeen, "lastSeen");
        if (!(load >= 0) || Double.isInfinite(load)) {
            load = 0;
        }
    }

    /** The service's name. */
    public String name() {
        return instance.name();
    }

    /** The port it listens on at {@link #overlayAddress()}. */
    public int port() {
        return instance.port();
    }

    /** {@code address:port}, which identifies the instance. */
    public String target() {
        return overlayAddress + ":" + instance.port();
    }
}
