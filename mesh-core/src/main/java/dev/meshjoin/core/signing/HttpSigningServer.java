package dev.meshjoin.core.signing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 *   <li>per-source rate limit (before anything is read);</li>
 *   <li>body size limit, enforced while reading (413);</li>
 *   <li>strict parsing of the envelope (400); network, service key and timestamp window;</li>
 *   <li>opening the sealed part (400 when it does not authenticate); nonce replay check;</li>
 *   <li>per-credential limit on failures; then the {@link JoinHandler} (the registrar) decides.</li>
 * </ol>
 *
 * <p>Every refusal with a reason and every admission is audited.
 */
final class HttpSigningServer implements SigningServerFactory.SigningServer {
    private static final Logger LOG = LoggerFactory.getLogger(HttpSigningServer.class);
    /** Refusals that say the credential was wrong: they count against the credential's bucket. */
    private static final Set<String> CREDENTIAL_FAILURES = Set.of("bad-credential", "token-expired", "token-used-up");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpSigningServerFactory config;
    private final JoinHandler handler;
    private final CertificateAuthority ca;
    private final String lighthouse;
    /** The service's own key and certificate; replaced whole when the lighthouse's certificate is renewed. */
    private record ServiceKey(byte[] privateKey, byte[] publicKey, HostCertificate certificate, byte[] hello) {
    }

    private volatile ServiceKey key;
    private final HttpServer server;
    private final ExecutorService executor;
    private final RateLimiter sources;
    private final RateLimiter credentials;
    private final RateLimiter secretCredential;
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
        this.credentials = new RateLimiter(config.perCredential.capacity(), config.perCredential.perSecond(), config.clock);
        this.secretCredential = new RateLimiter(config.perSecretCredential.capacity(),
                config.perSecretCredential.perSecond(), config.clock);
        this.replays = new ReplayGuard(config.timestampWindow, config.clock, 1_000_000);
        this.audit = new AuditLog(config.store, config.keys, config.auditRetention, config.auditBurst,
                config.auditPerMinute, config.clock);
        try {
            this.server = HttpServer.create(new InetSocketAddress(bindTo.host(), bindTo.port()), 1024);
        } catch (IOException e) {
            throw new MeshException("cannot listen for joins on " + bindTo + ": " + e.getMessage()
                    + "; choose another signing port or stop what holds it", e);
        }
        this.executor = Executors.newFixedThreadPool(config.threads, r -> {
            Thread t = new Thread(r, "meshjoin-signing-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(Wire.HELLO_PATH, this::hello);
        server.createContext(Wire.JOIN_PATH, this::join);
        server.createContext("/", ex -> respond(ex, 404, error("not-found", "the signing service answers "
                + Wire.HELLO_PATH + " and " + Wire.JOIN_PATH)));
        server.start();
        this.endpoint = new Endpoint(bindTo.host(), server.getAddress().getPort());
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
                lighthouse.addresses().get(0).prefixLength(), lighthouse.groups(), validity));
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

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Arrays.fill(key.privateKey(), (byte) 0);
    }

    private void hello(HttpExchange ex) {
        try (ex) {
            String source = source(ex);
            if (!sources.tryAcquire(source, 1)) {
                respondLimited(ex, source);
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                respond(ex, 405, error("method-not-allowed", "use GET " + Wire.HELLO_PATH));
                return;
            }
            respond(ex, 200, key.hello());
        } catch (RuntimeException e) {
            LOG.warn("hello failed: {}", e.toString());
        }
    }

    private void join(HttpExchange ex) {
        String source = source(ex);
        try (ex) {
            if (!sources.tryAcquire(source, 1)) {
                audit(source, "rate-limited", "rate-limited", null, null, "too many requests from this address");
                respondLimited(ex, source);
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                refuse(ex, source, 405, "method-not-allowed", "use POST " + Wire.JOIN_PATH, null, null);
                return;
            }
            byte[] body = readBounded(ex);
            if (body == null) {
                refuse(ex, source, 413, "too-large", "the request body exceeds " + config.maxBodyBytes + " bytes", null, null);
                return;
            }
            process(ex, source, body);
        } catch (UncheckedIOException e) {
            LOG.debug("connection from {} failed: {}", source, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("the signing service failed on a request from {}", source, e);
            try {
                respond(ex, 500, error("internal", "the signing service failed; its log says why"));
            } catch (RuntimeException ignored) {
                // the connection is gone
            }
        }
    }

    private void process(HttpExchange ex, String source, byte[] body) {
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
                refuse(ex, source, 403, "wrong-network", "this lighthouse serves network " + config.keys.networkName(),
                        null, null);
                return;
            }
            if (!env.serviceFingerprint().equals(sk.certificate().fingerprint())) {
                refuse(ex, source, 409, "stale-service-key", "the signing service has a new key; fetch "
                        + Wire.HELLO_PATH + " again", null, null);
                return;
            }
            if (!replays.inWindow(env.timestamp())) {
                refuse(ex, source, 403, "stale-request", "the request's timestamp is more than "
                        + config.timestampWindow.toSeconds() + " s from the lighthouse's clock; check this node's clock",
                        null, null);
                return;
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
                    refuse(ex, source, 403, "replayed", "this request was seen before; a joiner sends a fresh nonce "
                            + "with every request", null, null);
                    return;
                }
                case OUTSIDE_WINDOW -> {
                    refuse(ex, source, 403, "stale-request", "the request's timestamp left the window", null, null);
                    return;
                }
                case FULL -> {
                    respondLimited(ex, source);
                    return;
                }
            }
            inner = Wire.read(plain, Wire.Inner.class);
        } catch (Wire.BadMessage e) {
            sources.charge(source, config.perSource.failureCost());
            refuse(ex, source, 400, "bad-request", e.getMessage(), null, null);
            return;
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
            sources.charge(source, config.perSource.failureCost());
            refuse(ex, source, 400, "bad-request", e.getMessage(), inner.node(), null);
            return;
        }
        String credentialId = Credential.idOf(credential);
        RateLimiter credLimiter = Credential.NETWORK_SECRET_ID.equals(credentialId) ? secretCredential : credentials;
        HttpSigningServerFactory.RateLimit credLimit = Credential.NETWORK_SECRET_ID.equals(credentialId)
                ? config.perSecretCredential : config.perCredential;
        if (!"none".equals(credentialId) && !credLimiter.hasTokens(credentialId)) {
            audit(source, "rate-limited", "credential-rate-limited", inner.node(), credentialId,
                    "too many failed attempts with this credential");
            respondLimited(ex, credLimiter.retryAfterSeconds(credentialId));
            return;
        }
        JoinRequest request = new JoinRequest(env.network(), inner.node(), publicKey, inner.groups(), nonce, credential);
        JoinResponse response;
        try {
            response = handler.handle(request, source);
        } catch (JoinRefusedException e) {
            sources.charge(source, config.perSource.failureCost());
            if (CREDENTIAL_FAILURES.contains(e.reason()) && !"none".equals(credentialId)) {
                credLimiter.charge(credentialId, credLimit.failureCost() == 0 ? 1 : credLimit.failureCost());
            } else if ("bad-credential".equals(e.reason())) {
                sources.charge(source, config.perSource.failureCost());
            }
            refuse(ex, source, 403, e.reason(), e.getMessage(), inner.node(), credentialId);
            return;
        } catch (InvalidCertificateException e) {
            refuse(ex, source, 403, "ca-refused", "the CA refused to sign: " + e.getMessage(), inner.node(), credentialId);
            return;
        } catch (StoreException e) {
            LOG.warn("store failure while admitting {}: {}", inner.node(), e.getMessage());
            respond(ex, 503, error("unavailable", "the lighthouse cannot reach its store; try again or another lighthouse"));
            return;
        }
        HostCertificate issued = ca.verify(response.certificatePem().getBytes(StandardCharsets.US_ASCII),
                config.clock.instant());
        Wire.Outcome outcome = new Wire.Outcome(response.certificatePem(), response.address(), response.groups(), source);
        byte[] sealedOutcome = SigningCrypto.seal(responseKey, Wire.write(outcome), Wire.responseAad(nonce));
        audit.record(new AuditEvent(Versioned.SCHEMA, config.clock.instant(), lighthouse, "admitted", "ok", inner.node(),
                credentialId, source, response.address(), issued.fingerprint(), "granted " + response.groups(), 0));
        respond(ex, 200, Wire.write(new Wire.Sealed(Wire.VERSION, Wire.b64(sealedOutcome))));
    }

    private void refuse(HttpExchange ex, String source, int status, String reason, String message, String node,
                        String credentialId) {
        // Audited before answering, so the event exists once the joiner has its answer.
        audit(source, "refused", reason, node, credentialId, message);
        respond(ex, status, error(reason, message));
    }

    private void audit(String source, String outcome, String reason, String node, String credentialId, String detail) {
        String safeNode = node == null ? null : printable(node);
        audit.record(new AuditEvent(Versioned.SCHEMA, config.clock.instant(), lighthouse, outcome, reason, safeNode,
                credentialId, source, null, null, detail, 0));
    }

    /** A name as the joiner sent it, cut and with control characters replaced, fit for logs and records. */
    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "?");
    }

    private void respondLimited(HttpExchange ex, String source) {
        respondLimited(ex, sources.retryAfterSeconds(source));
    }

    private void respondLimited(HttpExchange ex, long retryAfter) {
        ex.getResponseHeaders().set("Retry-After", Long.toString(retryAfter));
        respond(ex, 429, error("rate-limited", "too many requests; retry after " + retryAfter + " s"));
    }

    /** The body, or null when it is larger than the limit; never reads more than limit + 1 bytes. */
    private byte[] readBounded(HttpExchange ex) {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > config.maxBodyBytes) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            InputStream in = ex.getRequestBody();
            byte[] buf = new byte[config.maxBodyBytes + 1];
            int n = 0;
            while (n < buf.length) {
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            return n > config.maxBodyBytes ? null : Arrays.copyOf(buf, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String source(HttpExchange ex) {
        InetSocketAddress remote = ex.getRemoteAddress();
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }

    private static byte[] error(String reason, String message) {
        return Wire.write(new Wire.Error(Wire.VERSION, reason, message));
    }

    private static void respond(HttpExchange ex, int status, byte[] body) {
        try {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
