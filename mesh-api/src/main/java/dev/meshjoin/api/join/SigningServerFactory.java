package dev.meshjoin.api.join;

import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Endpoint;

/** Starts the lighthouse's signing service on an endpoint, serving a {@link JoinHandler}. */
@FunctionalInterface
public interface SigningServerFactory {

    /**
     * Starts serving for a lighthouse; the returned server stops when closed.
     *
     * @param ca the network's CA; a service that certifies its own key (to be pinned by joiners)
     *     signs with it
     * @param lighthouseCertificate the lighthouse's own certificate
     */
    SigningServer start(Endpoint bindTo, JoinHandler handler, CertificateAuthority ca, HostCertificate lighthouseCertificate);

    /** A running signing service. */
    interface SigningServer extends AutoCloseable {
        /** Where joiners reach it. */
        Endpoint endpoint();

        /**
         * The lighthouse's certificate was renewed: a service that certifies its own key renews that
         * too. The default does nothing.
         */
        default void renew(CertificateAuthority ca, HostCertificate lighthouseCertificate) {
        }

        @Override
        void close();
    }
}
