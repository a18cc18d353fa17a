package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.state.Beat;

/**
 * Carries a member's polls and renewals to a lighthouse's state service over the overlay.
 *
 * @see StateServerFactory for the lighthouse side
 */
public interface StateChannel {

    /**
     * Polls the state service.
     *
     * @param self this node's overlay address; over a real overlay the kernel sends from it anyway,
     *     an in-process channel passes it on
     * @param etag the ETag of the document this node holds, or null
     * @return the answer; {@link StateHandler.Answer#modified()} false when it is unchanged
     * @throws dev.meshjoin.api.JoinRefusedException when the lighthouse refused (revoked, unknown)
     * @throws dev.meshjoin.api.MeshException when it could not be reached
     */
    StateHandler.Answer poll(Endpoint service, Ipv4Address self, String etag, Beat beat);

    /**
     * Asks for a renewed certificate for this node's key.
     *
     * @return the certificate, PEM; the caller verifies it before use
     */
    String renew(Endpoint service, Ipv4Address self, byte[] publicKey);

    /**
     * Asks a lighthouse for the live instances of {@code name} (all when null).
     *
     * @throws dev.meshjoin.api.MeshException when it could not be reached or does not answer lookups
     */
    default java.util.List<dev.meshjoin.core.registry.RegistryWire.Found> services(Endpoint service, Ipv4Address self,
                                                                                 String name) {
        throw new dev.meshjoin.api.MeshException("this state channel carries no service lookups");
    }
}
