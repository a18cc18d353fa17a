package dev.meshjoin.core.signing;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.api.join.JoinHandler;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.core.record.Versioned;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running signing service. On start it makes a fresh X25519 key and has the CA certify it
 * under the lighthouse's name, address and groups; joiners fetch that certificate ({@code GET
 * /v1/hello}), verify it against the CA pinned in the network record, and seal their request to
 * it. Requests follow this path, each step refusing with a stable reason:
 *
 * <ol>
 *   <li>connection cap per source prefix, read deadline and body size limit, all enforced while
 *       the request is read, before any thread is given to it ({@link BoundedHttpServer});</li>
 *   <li>rate limit per source prefix (/24, /64); failures cost that prefix more;</li>
 *   <li>strict parsing of the envelope (400); network, service key and clock skew;</li>
 *   <li>opening the sealed part (400 when it does not authenticate); nonce replay check;</li>
 *   <li>the credential's join rate; then the {@link JoinHandler} (the registrar) decides.</li>
 * </ol>
 *
 * <p>No bucket is shared between sources: strangers sending wrong proofs or guesses naming a
 * token only spend their own prefix's budget, never the network secret's or the token's.
 * Admissions and refusals of authenticated joiners are audited one by one; refusals of
 * unauthenticated requests are counted into one summary per interval.
 */
final class HttpSigningServer implements SigningServerFactory.SigningServer, BoundedHttpServer.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpSigningServer.class);
    /** Refusals that come after the credential checked out: audited one by one. */
    private static final Set<String> AUTHENTICATED_REFUSALS = Set.of("token-expired", "token-used-up",
            "group-not-allowed", "no-address", "ca-refused", "busy");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpSigningServerFactory config;
    private final JoinHandler handler;
    private final CertificateAuthority ca;
    private final String lighthouse;
    /** The service's own key and certificate; replaced whole when the lighthouse's certificate is renewed. */
    private record ServiceKey(byte[] privateKey, byte[] publicKey, HostCertificate certificate, byte[] hello) {
    }

    private volatile ServiceKey key;
    private final BoundedHttpServer server;
    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService ticker;
    private final RateLimiter sources;
    private final RateLimiter joins;
    private final ReplayGuard replays;
    private final AuditLog audit;
    private final Endpoint endpoint;

    HttpSigningServer(HttpSigningServerFactory config, Endpoint bindTo, JoinHandler handler, CertificateAuthority ca,
                      HostCertificate lighthouseCertificate) {
        this.config = config;
        this.handler = handler;
        this.ca = ca;
        this.lighthouse = lighthouseCertificate.name();
        this.key = newKey(config, ca, lighthouseCertificate);
        this.sources = new RateLimiter(config.perSource.capacity(), config.perSource.perSecond(), config.clock);
        this.joins = new RateLimiter(config.joinsPerCredential.capacity(), config.joinsPerCredential.perSecond(),
                config.clock);
        this.replays = new ReplayGuard(config.timestampWindow, config.clock, 1_000_000);
        this.audit = new AuditLog(config.store, config.keys, config.auditRetention, config.auditBudget(), config.clock)
                .observedBy(config.events);
        this.executor = new ThreadPoolExecutor(config.threads, config.threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.threads * 64), r -> {
                    Thread t = new Thread(r, "meshjoin-signing-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        try {
            this.server = new BoundedHttpServer(new InetSocketAddress(bindTo.host(), bindTo.port()),
                    new BoundedHttpServer.Limits(config.maxBodyBytes, config.readTimeout, config.readTimeout,
                            config.connectionsPerSource, config.maxConnections), this, executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new MeshException("cannot listen for joins on " + bindTo + ": " + e.getMessage()
                    + "; choose another signing port or stop what holds it", e);
        }
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshjoin-signing-audit-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(() -> {
            try {
                audit.flush(false);
            } catch (RuntimeException e) {
                LOG.warn("audit summary failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
        this.endpoint = new Endpoint(bindTo.host(), server.port());
        LOG.info("signing service of {} listening on {} (service certificate {})", lighthouse, endpoint,
                key.certificate().fingerprint());
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The certificate joiners seal their requests to. */
    HostCertificate serviceCertificate() {
        return key.certificate();
    }

    /** A fresh X25519 key, certified by the CA under the lighthouse's name, address and groups until its certificate ends. */
    private static ServiceKey newKey(HttpSigningServerFactory config, CertificateAuthority ca, HostCertificate lighthouse) {
        byte[][] kp = SigningCrypto.x25519KeyPair();
        Duration validity = Duration.between(config.clock.instant(), lighthouse.notAfter());
        if (validity.isNegative() || validity.isZero()) {
            throw new MeshException("the lighthouse certificate of " + lighthouse.name() + " has expired; renew it"
                    + " before starting the signing service");
        }
        HostCertificate cert = ca.issue(new CertificateRequest(kp[1], lighthouse.name(), lighthouse.address(),
                lighthouse.addresses().get(0).prefixLength(), lighthouse.groups(), validity, CertificateAuthority.BACKDATE));
        byte[] hello = Wire.write(new Wire.Hello(Wire.VERSION, config.keys.networkName(), lighthouse.name(),
                cert.pemText()));
        return new ServiceKey(kp[0], kp[1], cert, hello);
    }

    /**
     * Renews the service's own key with the lighthouse's renewed certificate. A joiner that sealed
     * its request to the old key is answered 409 and fetches the new one, as after a restart.
     */
    @Override
    public void renew(CertificateAuthority ca, HostCertificate lighthouseCertificate) {
        ServiceKey old = key;
        key = newKey(config, ca, lighthouseCertificate);
        LOG.info("signing service of {}: new service certificate {}", lighthouse, key.certificate().fingerprint());
        Arrays.fill(old.privateKey(), (byte) 0);
    }

    /** The audit log (tests flush its summary). */
    AuditLog audit() {
        return audit;
    }

    /** Open connections now. */
    int openConnections() {
        return server.openConnections();
    }

    @Override
    public void close() {
        server.close();
        ticker.shutdownNow();
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        audit.flush(true);
        Arrays.fill(key.privateKey(), (byte) 0);
    }

    @Override
    public BoundedHttpServer.Response handle(BoundedHttpServer.Request r) {
        String source = r.source().getHostAddress();
        String prefix = SourcePrefix.of(r.source());
        if (!sources.tryAcquire(prefix, 1)) {
            return refused(r.source(), 429, "rate-limited", "too many requests from " + prefix);
        }
        return switch (r.path()) {
            case Wire.HELLO_PATH -> "GET".equals(r.method()) ? BoundedHttpServer.Response.of(200, key.hello())
                    : failure(source, prefix, 405, "method-not-allowed", "use GET " + Wire.HELLO_PATH, null, null);
            case Wire.JOIN_PATH -> "POST".equals(r.method()) ? process(source, prefix, r.body())
                    : failure(source, prefix, 405, "method-not-allowed", "use POST " + Wire.JOIN_PATH, null, null);
            default -> BoundedHttpServer.Response.of(404, error("not-found", "the signing service answers "
                    + Wire.HELLO_PATH + " and " + Wire.JOIN_PATH));
        };
    }

    @Override
    public BoundedHttpServer.Response refused(InetAddress from, int status, String reason, String message) {
        String prefix = SourcePrefix.of(from);
        if (status == 429 && "rate-limited".equals(reason)) {
            // Already over its budget: counted, not charged again (the bucket would only go deeper).
            audit.failure(event(from.getHostAddress(), "rate-limited", reason, null, null, message), prefix);
            long retry = sources.retryAfterSeconds(prefix);
            return new BoundedHttpServer.Response(429, error(reason, "too many requests; retry after " + retry + " s"),
                    retry);
        }
        BoundedHttpServer.Response out = failure(from.getHostAddress(), prefix, status, reason, message, null, null);
        return status == 429 ? new BoundedHttpServer.Response(429, out.body(), 1) : out;
    }

    private BoundedHttpServer.Response process(String source, String prefix, byte[] body) {
        ServiceKey sk = key;
        Wire.Envelope env;
        Wire.Inner inner;
        byte[] nonce;
        byte[] responseKey;
        try {
            env = Wire.read(body, Wire.Envelope.class);
            if (env.v() != Wire.VERSION) {
                throw new Wire.BadMessage("protocol version " + env.v() + " is not spoken here; this service speaks "
                        + Wire.VERSION);
            }
            if (!env.network().equals(config.keys.networkName())) {
                return failure(source, prefix, 403, "wrong-network", "this lighthouse serves network "
                        + config.keys.networkName(), null, null);
            }
            if (!env.serviceFingerprint().equals(sk.certificate().fingerprint())) {
                return failure(source, prefix, 409, "stale-service-key", "the signing service has a new key; fetch "
                        + Wire.HELLO_PATH + " again", null, null);
            }
            if (!replays.inWindow(env.timestamp())) {
                return skew(source, prefix, env.timestamp());
            }
            byte[] eph = Wire.b64(env.ephemeralKey(), "ephemeralKey", 32);
            nonce = Wire.b64(env.nonce(), "nonce", 16);
            byte[] sealed = Wire.b64(env.sealed(), "sealed", -1);
            byte[] shared;
            try {
                shared = SigningCrypto.x25519(sk.privateKey(), eph);
            } catch (IllegalArgumentException e) {
                throw new Wire.BadMessage("ephemeralKey is not a usable X25519 key");
            }
            byte[] keys = Wire.exchangeKeys(shared, nonce, eph, sk.publicKey(), env.network());
            byte[] requestKey = Arrays.copyOfRange(keys, 0, 32);
            responseKey = Arrays.copyOfRange(keys, 32, 64);
            byte[] plain;
            try {
                plain = SigningCrypto.open(requestKey, sealed, Wire.requestAad(env.network(), env.timestamp(), nonce,
                        env.serviceFingerprint()));
            } catch (AEADBadTagException e) {
                throw new Wire.BadMessage("the sealed request does not authenticate");
            }
            switch (replays.check(env.nonce(), env.timestamp())) {
                case FRESH -> { }
                case REPLAYED -> {
                    return failure(source, prefix, 403, "replayed", "this request was seen before; a joiner sends a"
                            + " fresh nonce with every request", null, null);
                }
                case OUTSIDE_WINDOW -> {
                    return skew(source, prefix, env.timestamp());
                }
                case FULL -> {
                    return new BoundedHttpServer.Response(503, error("busy", "the signing service is busy; retry in"
                            + " a few seconds"), 5);
                }
            }
            inner = Wire.read(plain, Wire.Inner.class);
        } catch (Wire.BadMessage e) {
            return failure(source, prefix, 400, "bad-request", e.getMessage(), null, null);
        }
        byte[] publicKey;
        byte[] credential;
        try {
            if (inner.groups().size() > 32 || inner.groups().contains(null)) {
                throw new Wire.BadMessage("groups must be at most 32 names");
            }
            publicKey = Wire.b64(inner.publicKey(), "publicKey", 32);
            credential = Wire.b64(inner.credential(), "credential", -1);
        } catch (Wire.BadMessage e) {
            return failure(source, prefix, 400, "bad-request", e.getMessage(), inner.node(), null);
        }
        String credentialId = Credential.idOf(credential);
        if (!"none".equals(credentialId) && !joins.hasTokens(credentialId)) {
            // Only admissions drain this bucket, so strangers cannot empty it; its holder (or a thief
            // of it) has joined more nodes than the join rate allows.
            audit.alarm(event(source, "alarm", "join-rate-exceeded", inner.node(), credentialId,
                    "credential " + credentialId + " asked for more joins than its join rate allows ("
                            + (long) config.joinsPerCredential.capacity() + " at once); if this is not a planned"
                            + " scale-up, the credential may be in the wrong hands: rotate it"));
            long retry = joins.retryAfterSeconds(credentialId);
            return new BoundedHttpServer.Response(429, error("join-rate-limited", "this credential has admitted"
                    + " too many joins recently; retry after " + retry + " s"), retry);
        }
        JoinRequest request = new JoinRequest(env.network(), inner.node(), publicKey, inner.groups(), nonce, credential);
        JoinResponse response;
        try {
            response = handler.handle(request, source);
        } catch (JoinRefusedException e) {
            if (AUTHENTICATED_REFUSALS.contains(e.reason().code())) {
                audit.record(event(source, "refused", e.reason().code(), inner.node(), credentialId, e.getMessage()));
                return BoundedHttpServer.Response.of(403, error(e.reason().code(), e.getMessage()));
            }
            return failure(source, prefix, 403, e.reason().code(), e.getMessage(), inner.node(), credentialId);
        } catch (InvalidCertificateException e) {
            audit.record(event(source, "refused", "ca-refused", inner.node(), credentialId, e.getMessage()));
            return BoundedHttpServer.Response.of(403, error("ca-refused", "the CA refused to sign: " + e.getMessage()));
        } catch (StoreException e) {
            // Nothing was granted: the joiner's retry of this very request must not be a "replay".
            replays.forget(env.nonce());
            LOG.warn("store failure while admitting {}: {}", printable(inner.node()), e.getMessage());
            return BoundedHttpServer.Response.of(503, error("unavailable", "the lighthouse cannot reach its store;"
                    + " try again or another lighthouse"));
        }
        joins.charge(credentialId, 1);
        HostCertificate issued = ca.verify(response.certificatePem().getBytes(StandardCharsets.US_ASCII),
                config.clock.instant());
        Wire.Outcome outcome = new Wire.Outcome(response.certificatePem(), response.address(), response.groups(), source);
        byte[] sealedOutcome = SigningCrypto.seal(responseKey, Wire.write(outcome), Wire.responseAad(nonce));
        audit.record(new AuditEvent(Versioned.SCHEMA, config.clock.instant(), lighthouse, "admitted", "ok", inner.node(),
                credentialId, source, response.address(), issued.fingerprint(), "granted " + response.groups(), 0));
        return BoundedHttpServer.Response.of(200, Wire.write(new Wire.Sealed(Wire.VERSION, Wire.b64(sealedOutcome))));
    }

    private BoundedHttpServer.Response skew(String source, String prefix, long timestamp) {
        long skew = replays.skewSeconds(timestamp);
        return failure(source, prefix, 403, "clock-skew", "clock skew: this node's clock is " + Math.abs(skew) + " s "
                + (skew > 0 ? "ahead of" : "behind") + " the lighthouse's, more than the "
                + config.timestampWindow.toSeconds() + " s allowed; synchronise this node's clock (NTP)", null, null);
    }

    /** An unauthenticated refusal: charged to the source prefix, counted into the audit summary. */
    private BoundedHttpServer.Response failure(String source, String prefix, int status, String reason,
                                               String message, String node, String credentialId) {
        sources.charge(prefix, config.perSource.failureCost());
        audit.failure(event(source, "refused", reason, node, credentialId, message), prefix);
        return BoundedHttpServer.Response.of(status, error(reason, message));
    }

    private AuditEvent event(String source, String outcome, String reason, String node, String credentialId,
                             String detail) {
        String safeNode = node == null ? null : printable(node);
        return new AuditEvent(Versioned.SCHEMA, config.clock.instant(), lighthouse, outcome, reason, safeNode,
                credentialId, source, null, null, detail, 0);
    }

    /** A name as the joiner sent it, cut and with control characters replaced, fit for logs and records. */
    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "?");
    }

    private static byte[] error(String reason, String message) {
        return Wire.write(new Wire.Error(Wire.VERSION, reason, message));
    }
}
