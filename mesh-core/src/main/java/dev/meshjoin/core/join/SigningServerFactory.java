package dev.meshjoin.core.join;

import dev.meshjoin.api.net.Endpoint;

/** Starts the lighthouse's signing service on an endpoint, serving a {@link JoinHandler}. */
@FunctionalInterface
public interface SigningServerFactory {

    /** Starts serving; the returned server stops when closed. */
    SigningServer start(Endpoint bindTo, JoinHandler handler);

    /** A running signing service. */
    interface SigningServer extends AutoCloseable {
        /** Where joiners reach it. */
        Endpoint endpoint();

        @Override
        void close();
    }
}
