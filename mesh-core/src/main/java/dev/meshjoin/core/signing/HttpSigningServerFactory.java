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
 * Starts the signing service over HTTP/1.1 on a small non-blocking server of its own (JDK NIO):
 * no dependency to keep patched, and the protocol's confidentiality comes from its own sealing,
 * not from the transport (see docs/security.md). Requests are read completely, within a deadline
 * and a size limit, before a thread is given to them; connections are capped per source prefix;
 * requests are rate-limited per source prefix, joins per credential; replays are refused; the
 * audit log keeps to the store's write budget.
 *
 * <pre>{@code
 * SigningServerFactory servers = HttpSigningServerFactory.builder(store, "prod").build();
 * MeshNode.builder().signingServers(servers).transport(new HttpJoinTransport(caProvider)) ...
 * }</pre>
 */
public final class HttpSigningServerFactory implements SigningServerFactory {
    final BootstrapStore store;
    final StoreKeys keys;
    final Clock clock;
    final int maxBodyBytes;
    final Duration timestampWindow;
    final RateLimit perSource;
    final RateLimit joinsPerCredential;
    final int threads;
    final Duration readTimeout;
    final int connectionsPerSource;
    final int maxConnections;
    final Duration auditRetention;
    final dev.meshjoin.core.NodeEvents events;
    private final AuditLog.Budget auditBudget;

    private HttpSigningServerFactory(Builder b) {
        this.store = b.store;
        this.keys = b.keys;
        this.clock = b.clock;
        this.maxBodyBytes = b.maxBodyBytes;
        this.timestampWindow = b.timestampWindow;
        this.perSource = b.perSource;
        this.joinsPerCredential = b.joinsPerCredential;
        this.threads = b.threads;
        this.readTimeout = b.readTimeout;
        this.connectionsPerSource = b.connectionsPerSource;
        this.maxConnections = b.maxConnections;
        this.auditRetention = b.auditRetention;
        this.events = b.events;
        AuditLog.Budget budget = b.auditBudget != null ? b.auditBudget : AuditLog.Budget.forStore(b.store);
        this.auditBudget = b.auditSummaryInterval == null ? budget
                : new AuditLog.Budget(budget.burst(), budget.perDay(), b.auditSummaryInterval);
    }

    /** The audit log's write budget: set on the builder, or fitted to the store's declared writes a day. */
    AuditLog.Budget auditBudget() {
        return auditBudget;
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
        private RateLimit joinsPerCredential = new RateLimit(200, 0.1, 0);
        private int threads = 8;
        private Duration readTimeout = Duration.ofSeconds(5);
        private int connectionsPerSource = 16;
        private int maxConnections = 1024;
        private Duration auditRetention = Duration.ofDays(90);
        private dev.meshjoin.core.NodeEvents events = dev.meshjoin.core.NodeEvents.NONE;
        private AuditLog.Budget auditBudget;
        private Duration auditSummaryInterval;

        private Builder(BootstrapStore store, StoreKeys keys) {
            this.store = store;
            this.keys = keys;
        }

        public Builder clock(Clock v) { this.clock = v; return this; }
        /** Largest request body; default 16 KiB. Larger bodies are refused (413) before they are parsed. */
        public Builder maxBodyBytes(int v) { this.maxBodyBytes = v; return this; }
        /** How far a request's timestamp may lie from the service's clock; default 2 minutes. */
        public Builder timestampWindow(Duration v) { this.timestampWindow = v; return this; }
        /** Requests per source prefix (/24 for IPv4, /64 for IPv6): default 20 at once, 5 per second, a failure costs 4 more. */
        public Builder perSource(RateLimit v) { this.perSource = v; return this; }
        /**
         * Admitted joins per credential (the network secret, each token): default 200 at once, one
         * per 10 seconds after that. Only admissions drain it, so no stranger can; once it runs dry
         * joins with that credential wait and the audit log raises a {@code join-rate-exceeded}
         * alarm, so a leaked secret cannot fill the address space unseen.
         */
        public Builder joinsPerCredential(RateLimit v) { this.joinsPerCredential = v; return this; }
        /** Request threads; default 8. Reading requests takes none: that is the I/O thread's. */
        public Builder threads(int v) { this.threads = v; return this; }
        /** How long a client has to send its whole request; default 5 s, then 408 and closed. */
        public Builder readTimeout(Duration v) { this.readTimeout = v; return this; }
        /** Open connections per source prefix (/24, /64) and in all; default 16 and 1024. */
        public Builder connections(int perSource, int total) {
            this.connectionsPerSource = perSource;
            this.maxConnections = total;
            return this;
        }
        /** Told of every join decision (admitted, refused, rate-limited, with its reason), for monitoring; default none. */
        public Builder events(dev.meshjoin.core.NodeEvents v) { this.events = java.util.Objects.requireNonNull(v); return this; }
        /** How long audit events stay in the store; default 90 days. */
        public Builder auditRetention(Duration v) { this.auditRetention = v; return this; }
        /**
         * Audit events written to the store at once and per minute; by default a tenth of what the
         * store declares it can afford a day ({@link BootstrapStore#writesPerDay()}).
         */
        public Builder auditBudget(int burst, int perMinute) {
            this.auditBudget = new AuditLog.Budget(burst, perMinute * 1440.0,
                    AuditLog.Budget.of(perMinute * 1440.0).summaryInterval());
            return this;
        }
        /**
         * How often refusals of unauthenticated requests are summarised into one stored event;
         * derived from the budget by default (an hour on Cloudflare KV's free tier, a minute where
         * writes are unlimited). {@link Duration#ZERO} writes each one like any other event.
         */
        public Builder auditSummaryInterval(Duration v) { this.auditSummaryInterval = v; return this; }

        public HttpSigningServerFactory build() {
            if (maxBodyBytes < 1024) {
                throw new ConfigurationException("maxBodyBytes below 1 KiB cannot carry a join request");
            }
            if (threads < 1) {
                throw new ConfigurationException("the signing service needs at least one thread");
            }
            if (connectionsPerSource < 1 || maxConnections < connectionsPerSource) {
                throw new ConfigurationException("connections need at least 1 per source and a total of at least"
                        + " that; got " + connectionsPerSource + " and " + maxConnections);
            }
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                throw new ConfigurationException("the read timeout must be positive, got " + readTimeout);
            }
            return new HttpSigningServerFactory(this);
        }
    }
}
