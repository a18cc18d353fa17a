package dev.meshjoin.core.signing;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.api.join.JoinTransport;
import dev.meshjoin.api.join.JoinNetwork;
import java.io.IOException;
import java.net.URI;
import dev.meshjoin.core.internal.BackgroundHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;

/**
 * The joiner's side of the join protocol over HTTP ({@code java.net.http}). It fetches the
 * lighthouse's service certificate and accepts it only when it verifies against the CA pinned in
 * the network record, carries the {@code lighthouse} group and names a lighthouse of the record;
 * then it seals the request to that key with a fresh ephemeral key, and opens and checks the
 * answer: the certificate must verify against the pinned CA, carry the joiner's own public key and
 * name, and an address inside the network.
 *
 * <pre>{@code
 * JoinTransport transport = new HttpJoinTransport(new NebulaCertificateAuthorityProvider());
 * }</pre>
 */
public final class HttpJoinTransport implements JoinTransport {
    

    private final CertificateAuthorityProvider caProvider;
    private final BackgroundHttpClient client;
    private final Duration timeout;
    private final Clock clock;
    private final Map<Endpoint, HostCertificate> serviceKeys = new ConcurrentHashMap<>();

    public HttpJoinTransport(CertificateAuthorityProvider caProvider) {
        this(caProvider, Duration.ofSeconds(10), Clock.systemUTC());
    }

    /**
     * @param timeout for connecting and for each answer
     * @param clock for request timestamps and certificate validity
     */
    public HttpJoinTransport(CertificateAuthorityProvider caProvider, Duration timeout, Clock clock) {
        this.caProvider = caProvider;
        this.timeout = timeout;
        this.clock = clock;
        this.client = BackgroundHttpClient.building(() -> dev.meshjoin.core.internal.PlainHttp.newBuilder()
                .connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build(), "join");
    }

    @Override
    public JoinResponse join(Endpoint signingService, JoinRequest request, JoinNetwork network) {
        CertificateVerifier pinned = caProvider.verifier(network.caBundlePem());
        for (int attempt = 0; ; attempt++) {
            HostCertificate service = serviceKeys.get(signingService);
            if (service == null) {
                service = hello(signingService, network, pinned);
                serviceKeys.put(signingService, service);
            }
            try {
                return exchange(signingService, request, network, pinned, service);
            } catch (StaleServiceKey e) {
                serviceKeys.remove(signingService, service);
                if (attempt >= 1) {
                    throw new MeshException("the signing service at " + signingService + " changed its key twice during "
                            + "one join; try again");
                }
            }
        }
    }

    /** The configured timeout, cut to the caller's deadline (a joiner gives each lighthouse its own share). */
    private Duration requestTimeout() {
        Duration capped = dev.meshjoin.api.retry.Deadline.current().cap(timeout);
        return capped.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : capped;
    }

    private HostCertificate hello(Endpoint at, JoinNetwork network, CertificateVerifier pinned) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(at, Wire.HELLO_PATH)).timeout(requestTimeout()).GET().build(), at);
        if (r.statusCode() != 200) {
            throw new MeshException("the signing service at " + at + " answered " + r.statusCode() + " to "
                    + Wire.HELLO_PATH + describe(r));
        }
        Wire.Hello hello;
        try {
            hello = Wire.read(r.body(), Wire.Hello.class);
        } catch (Wire.BadMessage e) {
            throw new MeshException("the signing service at " + at + " sent an unreadable hello: " + e.getMessage());
        }
        HostCertificate cert = verify(pinned, hello.serviceCertificate(), "the service certificate of " + at);
        boolean isLighthouse = network.lighthouses().contains(cert.name());
        if (!cert.groups().contains(dev.meshjoin.core.lighthouse.Lighthouse.GROUP) || !isLighthouse || !cert.name().equals(hello.lighthouse())
                || cert.publicKey().length != 32) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                    "the signing service at " + at + " presented a certificate for " + cert.name() + " " + cert.groups()
                            + ", which is not a lighthouse of " + network.name() + "; refusing to send it anything");
        }
        return cert;
    }

    private JoinResponse exchange(Endpoint at, JoinRequest request, JoinNetwork network, CertificateVerifier pinned,
                                  HostCertificate service) {
        byte[][] eph = SigningCrypto.x25519KeyPair();
        byte[] nonce = request.nonce();
        if (nonce.length != 16) {
            throw new ConfigurationException("a join request's nonce must be 16 bytes, got " + nonce.length);
        }
        byte[] servicePublic = service.publicKey();
        byte[] keys = Wire.exchangeKeys(SigningCrypto.x25519(eph[0], servicePublic), nonce, eph[1], servicePublic,
                request.network());
        Arrays.fill(eph[0], (byte) 0);
        byte[] requestKey = Arrays.copyOfRange(keys, 0, 32);
        byte[] responseKey = Arrays.copyOfRange(keys, 32, 64);
        long timestamp = clock.millis() / 1000;
        Wire.Inner inner = new Wire.Inner(request.node(), Wire.b64(request.publicKey()), request.groups(),
                Wire.b64(request.credential()));
        byte[] sealed = SigningCrypto.seal(requestKey, Wire.write(inner),
                Wire.requestAad(request.network(), timestamp, nonce, service.fingerprint()));
        Wire.Envelope env = new Wire.Envelope(Wire.VERSION, request.network(), service.fingerprint(), Wire.b64(eph[1]),
                Wire.b64(nonce), timestamp, Wire.b64(sealed));
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(at, Wire.JOIN_PATH)).timeout(requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Wire.write(env))).build(), at);
        switch (r.statusCode()) {
            case 200 -> {
                return open(r.body(), responseKey, nonce, at, request, network, pinned);
            }
            case 409 -> throw new StaleServiceKey();
            case 400, 403, 405, 413 -> {
                Wire.Error err = readError(r);
                throw new JoinRefusedException(err == null ? RefusalReason.OTHER : RefusalReason.fromCode(err.error()),
                        "the lighthouse at " + at + " refused the join: " + (err == null ? "status " + r.statusCode()
                                : err.message()));
            }
            case 429 -> throw new MeshException("the lighthouse at " + at + " is rate-limiting this node; retry after "
                    + r.headers().firstValue("Retry-After").orElse("a few") + " s");
            default -> throw new MeshException("the lighthouse at " + at + " answered " + r.statusCode() + describe(r)
                    + "; try again or another lighthouse");
        }
    }

    private JoinResponse open(byte[] body, byte[] responseKey, byte[] nonce, Endpoint at, JoinRequest request,
                              JoinNetwork network, CertificateVerifier pinned) {
        Wire.Outcome outcome;
        try {
            Wire.Sealed s = Wire.read(body, Wire.Sealed.class);
            byte[] plain = SigningCrypto.open(responseKey, Wire.b64(s.sealed(), "sealed", -1), Wire.responseAad(nonce));
            outcome = Wire.read(plain, Wire.Outcome.class);
        } catch (Wire.BadMessage | AEADBadTagException e) {
            throw new MeshException("the answer from " + at + " does not authenticate (" + e.getMessage()
                    + "); something between this node and the lighthouse altered it");
        }
        HostCertificate cert = verify(pinned, outcome.certificate(), "the certificate from " + at);
        Ipv4Cidr cidr = network.cidr();
        if (!Arrays.equals(cert.publicKey(), request.publicKey()) || !cert.name().equals(request.node())
                || cert.addresses().size() != 1 || !cidr.contains(cert.address())
                || !cert.addresses().get(0).toString().equals(outcome.address())) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                    "the lighthouse at " + at + " returned a certificate that is not this node's (" + cert
                            + "); refusing it");
        }
        return new JoinResponse(outcome.certificate(), outcome.address(), outcome.groups(), outcome.observedSource());
    }

    /**
     * Verifies at this node's clock. Certificates are valid from a few minutes before they were
     * signed, so "not yet valid" means this node's clock is behind by more than that: say so.
     */
    private HostCertificate verify(CertificateVerifier pinned, String pem, String what) {
        try {
            return pinned.verify(pem.getBytes(StandardCharsets.US_ASCII), clock.instant());
        } catch (InvalidCertificateException e) {
            if (e.reason() != InvalidCertificateException.Reason.NOT_YET_VALID) {
                throw e;
            }
            throw new InvalidCertificateException(InvalidCertificateException.Reason.NOT_YET_VALID, "clock skew: "
                    + what + " is not valid yet by this node's clock (" + clock.instant() + "): " + e.getMessage()
                    + "; this node's clock is behind, synchronise it (NTP)");
        }
    }

    private HttpResponse<byte[]> send(HttpRequest req, Endpoint at) {
        try {
            return client.get().send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new MeshException("cannot reach the signing service at " + at + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while joining through " + at, e);
        }
    }

    private static Wire.Error readError(HttpResponse<byte[]> r) {
        try {
            return Wire.read(r.body(), Wire.Error.class);
        } catch (Wire.BadMessage e) {
            return null;
        }
    }

    private static String describe(HttpResponse<byte[]> r) {
        Wire.Error err = readError(r);
        return err == null ? "" : " (" + err.error() + ": " + err.message() + ")";
    }

    private static URI uri(Endpoint at, String path) {
        String host = at.host().contains(":") ? "[" + at.host() + "]" : at.host();
        return URI.create("http://" + host + ":" + at.port() + path);
    }

    /** The service answered 409: its key changed (it restarted); fetch the hello again. */
    private static final class StaleServiceKey extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleServiceKey() {
            super(null, null, false, false);
        }
    }
}
