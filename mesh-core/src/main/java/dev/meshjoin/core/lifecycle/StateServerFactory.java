package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.net.Endpoint;

/**
 * Starts a lighthouse's state service on its overlay address, where only holders of this
 * network's certificates can reach it.
 *
 * @see StateChannel for the member side
 */
@FunctionalInterface
public interface StateServerFactory {

    /** Starts serving {@code handler} at {@code bindTo} (an overlay address and port). */
    StateServer start(Endpoint bindTo, StateHandler handler);

    /** A running state service. */
    interface StateServer extends AutoCloseable {
        Endpoint endpoint();

        @Override
        void close();
    }
}
