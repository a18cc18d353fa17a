package dev.meshjoin.core.join;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.core.record.NetworkRecord;

/**
 * Carries a join request to a lighthouse's signing service and brings back the answer.
 *
 * @see SigningServerFactory for the lighthouse side
 */
@FunctionalInterface
public interface JoinTransport {

    /**
     * Sends the request.
     *
     * @throws dev.meshjoin.api.JoinRefusedException when the service refused it
     * @throws dev.meshjoin.api.MeshException when the service could not be reached
     */
    JoinResponse join(Endpoint signingService, JoinRequest request);

    /**
     * Sends the request to a lighthouse of a network whose record the joiner has read; a transport
     * that authenticates the service pins it through the record's CA. The default ignores the record.
     */
    default JoinResponse join(Endpoint signingService, JoinRequest request, NetworkRecord network) {
        return join(signingService, request);
    }
}
