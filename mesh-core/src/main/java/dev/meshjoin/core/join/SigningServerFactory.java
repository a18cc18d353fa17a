package dev.meshjoin.core.join;

import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Endpoint;

/** Starts the lighthouse's signing service on an endpoint, serving a {@link JoinHandler}. */
@FunctionalInterface
public interface SigningServerFactory {

    /** Starts serving; the returned server stops when closed. */
    SigningServer start(Endpoint bindTo, JoinHandler handler);

    /**
     * Starts serving for a lighthouse. A service that certifies its own key (to be pinned by
     * joiners through the network's CA) uses the CA and the lighthouse's certificate; the default
     * ignores them.
     */
    default SigningServer start(Endpoint bindTo, JoinHandler handler, CertificateAuthority ca,
                                HostCertificate lighthouseCertificate) {
        return start(bindTo, handler);
    }

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
