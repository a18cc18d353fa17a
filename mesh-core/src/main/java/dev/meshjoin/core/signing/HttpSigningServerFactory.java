package dev.meshjoin.core.signing;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.join.JoinHandler;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.core.record.StoreKeys;
import java.time.Clock;
import java.time.Duration;

/**
 * Starts the signing service over HTTP on the JDK's own server ({@code com.sun.net.httpserver}):
 * no dependency to keep patched, and the protocol's confidentiality comes from its own sealing,
 * not from the transport (see docs/security.md). Requests are size-limited while they are read,
 * rate-limited by source address and by credential, checked for replays, and audited.
 *
 * <pre>{@code
 * SigningServerFactory servers = HttpSigningServerFactory.builder(store, "prod").build();
 * MeshNode.builder().signingServers(servers).transport(new HttpJoinTransport(caProvider)) ...
 * }</pre>
 */
public final class HttpSigningServerFactory implements SigningServerFactory {
    static {
        // The JDK server writes an answer's headers and body separately; without TCP_NODELAY,
        // Nagle's algorithm and the client's delayed ACK add about 40 ms to every join (measured
        // with JoinBench). The server reads this once, so set it before its first use unless the
        // application chose otherwise.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    final BootstrapStore store;
    final StoreKeys keys;
    final Clock clock;
    final int maxBodyBytes;
    final Duration timestampWindow;
    final RateLimit perSource;
    final RateLimit perCredential;
    final RateLimit perSecretCredential;
    final int threads;
    final Duration auditRetention;
    final int auditBurst;
    final int auditPerMinute;

    private HttpSigningServerFactory(Builder b) {
        this.store = b.store;
        this.keys = b.keys;
        this.clock = b.clock;
        this.maxBodyBytes = b.maxBodyBytes;
        this.timestampWindow = b.timestampWindow;
        this.perSource = b.perSource;
        this.perCredential = b.perCredential;
        this.perSecretCredential = b.perSecretCredential;
        this.threads = b.threads;
        this.auditRetention = b.auditRetention;
        this.auditBurst = b.auditBurst;
        this.auditPerMinute = b.auditPerMinute;
    }

    public static Builder builder(BootstrapStore store, String network) {
        return new Builder(store, StoreKeys.of(network));
    }

    /**
     * A token bucket: {@code capacity} at once, refilled at {@code perSecond}.
     *
     * @param failureCost what a failed attempt costs on top of the request itself
     */
    public record RateLimit(double capacity, double perSecond, double failureCost) {
        public RateLimit {
            if (capacity < 1 || perSecond <= 0 || failureCost < 0) {
                throw new ConfigurationException("a rate limit needs capacity >= 1, a positive rate and a failure "
                        + "cost >= 0; got " + capacity + ", " + perSecond + ", " + failureCost);
            }
        }
    }

    @Override
    public SigningServer start(Endpoint bindTo, JoinHandler handler, CertificateAuthority ca,
                               HostCertificate lighthouseCertificate) {
        return new HttpSigningServer(this, bindTo, handler, ca, lighthouseCertificate);
    }

    /** Configures an {@link HttpSigningServerFactory}; each setter's Javadoc gives its default. */
    public static final class Builder {
        private final BootstrapStore store;
        private final StoreKeys keys;
        private Clock clock = Clock.systemUTC();
        private int maxBodyBytes = 16 * 1024;
        private Duration timestampWindow = Duration.ofMinutes(2);
        private RateLimit perSource = new RateLimit(20, 5, 4);
        private RateLimit perCredential = new RateLimit(10, 0.2, 1);
        private RateLimit perSecretCredential = new RateLimit(60, 2, 1);
        private int threads = 8;
        private Duration auditRetention = Duration.ofDays(90);
        private int auditBurst = 100;
        private int auditPerMinute = 60;

        private Builder(BootstrapStore store, StoreKeys keys) {
            this.store = store;
            this.keys = keys;
        }

        public Builder clock(Clock v) { this.clock = v; return this; }
        /** Largest request body; default 16 KiB. Larger bodies are refused (413) before they are parsed. */
        public Builder maxBodyBytes(int v) { this.maxBodyBytes = v; return this; }
        /** How far a request's timestamp may lie from the service's clock; default 2 minutes. */
        public Builder timestampWindow(Duration v) { this.timestampWindow = v; return this; }
        /** Requests per source address: default 20 at once, 5 per second, a failure costs 4 more. */
        public Builder perSource(RateLimit v) { this.perSource = v; return this; }
        /** Failed attempts per enrollment token: default 10 at once, one per 5 seconds. */
        public Builder perCredential(RateLimit v) { this.perCredential = v; return this; }
        /**
         * Failed attempts with the network secret, from all sources together: default 60 at once, 2
         * per second — more than one source's own limit lets through, so a single source cannot lock
         * others out.
         */
        public Builder perSecretCredential(RateLimit v) { this.perSecretCredential = v; return this; }
        /** Request threads; default 8. */
        public Builder threads(int v) { this.threads = v; return this; }
        /** How long audit events stay in the store; default 90 days. */
        public Builder auditRetention(Duration v) { this.auditRetention = v; return this; }
        /** Audit events written to the store at once and per minute; default 100 and 60. */
        public Builder auditBudget(int burst, int perMinute) { this.auditBurst = burst; this.auditPerMinute = perMinute; return this; }

        public HttpSigningServerFactory build() {
            if (maxBodyBytes < 1024) {
                throw new ConfigurationException("maxBodyBytes below 1 KiB cannot carry a join request");
            }
            if (threads < 1) {
                throw new ConfigurationException("the signing service needs at least one thread");
            }
            return new HttpSigningServerFactory(this);
        }
    }
}
