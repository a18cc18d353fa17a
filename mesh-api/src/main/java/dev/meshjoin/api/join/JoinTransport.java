package dev.meshjoin.api.join;

import dev.meshjoin.api.net.Endpoint;

/**
 * Carries a join request to a lighthouse's signing service and brings back the answer.
 *
 * @see SigningServerFactory for the lighthouse side
 */
@FunctionalInterface
public interface JoinTransport {

    /**
     * Sends the request to a lighthouse of {@code network}; a transport that authenticates the
     * service pins it through the network's CA bundle and its lighthouses' names.
     *
     * @throws dev.meshjoin.api.JoinRefusedException when the service refused it
     * @throws dev.meshjoin.api.MeshException when the service could not be reached
     */
    JoinResponse join(Endpoint signingService, JoinRequest request, JoinNetwork network);
}
