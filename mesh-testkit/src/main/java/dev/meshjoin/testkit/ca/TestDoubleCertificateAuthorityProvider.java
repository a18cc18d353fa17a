package dev.meshjoin.testkit.ca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * <b>Test double.</b> A certificate authority with real Ed25519 signatures and real X25519 host
 * keys but its own simple certificate format (JSON in a {@code TEST DOUBLE CERTIFICATE} PEM
 * block), so the core's state machine can be tested without the Nebula module. It enforces the
 * same rules as the real one: validity, issuer, signature, network and group constraints,
 * blocklist. Production uses {@code NebulaCertificateAuthorityProvider}.
 */
public final class TestDoubleCertificateAuthorityProvider implements CertificateAuthorityProvider {
    private static final String BANNER = "TEST DOUBLE CERTIFICATE";
    private static final String KEY_BANNER = "TEST DOUBLE CA KEY";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;

    public TestDoubleCertificateAuthorityProvider() {
        this(Clock.systemUTC());
    }

    public TestDoubleCertificateAuthorityProvider(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String type() {
        return "test-double";
    }

    @Override
    public CertificateAuthority create(CaSpec spec) {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Instant now = clock.instant();
            ObjectNode details = JSON.createObjectNode();
            details.put("name", spec.name());
            ArrayNode ips = details.putArray("ips");
            spec.networks().forEach(n -> ips.add(n.toString()));
            ArrayNode groups = details.putArray("groups");
            spec.groups().forEach(groups::add);
            details.put("notBefore", now.minus(spec.backdate()).getEpochSecond());
            details.put("notAfter", now.plus(spec.validity()).getEpochSecond());
            details.put("publicKey", Base64.getEncoder().encodeToString(kp.getPublic().getEncoded()));
            details.put("ca", true);
            details.put("issuer", "");
            byte[] pem = sign(details, kp.getPrivate());
            HostCertificate cert = parse(pem);
            return new Authority(cert, kp.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public CertificateAuthority load(byte[] caCertificatePem, byte[] caPrivateKey) {
        HostCertificate cert = parse(caCertificatePem);
        try {
            String body = new String(caPrivateKey, StandardCharsets.US_ASCII)
                    .replace("-----BEGIN " + KEY_BANNER + "-----", "").replace("-----END " + KEY_BANNER + "-----", "").strip();
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(body)));
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(new byte[] {1});
            byte[] sig = s.sign();
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(publicKey(cert));
            v.update(new byte[] {1});
            if (!v.verify(sig)) {
                throw new InvalidCertificateException(Reason.KEY_MISMATCH, "the CA key does not belong to the CA certificate");
            }
            return new Authority(cert, key);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidCertificateException(Reason.MALFORMED, "cannot read the CA key: " + e.getMessage(), e);
        }
    }

    @Override
    public CertificateVerifier verifier(byte[] bundlePem) {
        return new Verifier(splitBundle(bundlePem));
    }

    @Override
    public HostKeyPair newHostKeyPair() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] pub = littleEndian(((XECPublicKey) kp.getPublic()).getU());
            byte[] priv = ((XECPrivateKey) kp.getPrivate()).getScalar().orElseThrow();
            return new HostKeyPair(pub, priv);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] littleEndian(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < Math.min(32, be.length); i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    private static byte[] sign(ObjectNode details, PrivateKey key) throws GeneralSecurityException {
        byte[] body = details.toString().getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(body);
        ObjectNode whole = JSON.createObjectNode();
        whole.set("details", details);
        whole.put("signature", Base64.getEncoder().encodeToString(s.sign()));
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(whole.toString().getBytes(StandardCharsets.UTF_8));
        return ("-----BEGIN " + BANNER + "-----\n" + b64 + "\n-----END " + BANNER + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> splitBundle(byte[] bundle) {
        String text = new String(bundle, StandardCharsets.US_ASCII);
        List<byte[]> out = new ArrayList<>();
        String end = "-----END " + BANNER + "-----";
        int from = 0;
        while (true) {
            int b = text.indexOf("-----BEGIN " + BANNER + "-----", from);
            if (b < 0) {
                break;
            }
            int e = text.indexOf(end, b);
            if (e < 0) {
                throw new InvalidCertificateException(Reason.MALFORMED, "unterminated certificate block");
            }
            out.add((text.substring(b, e + end.length()) + "\n").getBytes(StandardCharsets.US_ASCII));
            from = e + end.length();
        }
        if (out.isEmpty()) {
            throw new InvalidCertificateException(Reason.MALFORMED, "no certificate in the bundle");
        }
        return out;
    }

    /** Parses without verifying. */
    static HostCertificate parse(byte[] pem) {
        try {
            String text = new String(pem, StandardCharsets.US_ASCII).strip();
            if (!text.startsWith("-----BEGIN " + BANNER + "-----") || !text.endsWith("-----END " + BANNER + "-----")) {
                throw new InvalidCertificateException(Reason.MALFORMED, "not a " + BANNER + " block");
            }
            String b64 = text.substring(("-----BEGIN " + BANNER + "-----").length(), text.length() - ("-----END " + BANNER + "-----").length());
            byte[] raw = Base64.getMimeDecoder().decode(b64.strip());
            JsonNode whole = JSON.readTree(raw);
            JsonNode d = whole.get("details");
            List<Ipv4Interface> ips = new ArrayList<>();
            d.get("ips").forEach(n -> ips.add(Ipv4Interface.parse(n.asText())));
            List<String> groups = new ArrayList<>();
            d.get("groups").forEach(n -> groups.add(n.asText()));
            String fp = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
            byte[] pub = Base64.getDecoder().decode(d.get("publicKey").asText());
            return new HostCertificate(pem, fp, d.get("name").asText(), ips, groups,
                    Instant.ofEpochSecond(d.get("notBefore").asLong()), Instant.ofEpochSecond(d.get("notAfter").asLong()),
                    pub, d.get("ca").asBoolean(), d.get("issuer").asText());
        } catch (InvalidCertificateException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidCertificateException(Reason.MALFORMED, "cannot parse the certificate: " + e.getMessage(), e);
        }
    }

    private static PublicKey publicKey(HostCertificate ca) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(ca.publicKey()));
    }

    @Override
    public boolean verifyStatement(HostCertificate ca, byte[] message, byte[] signature) {
        try {
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(publicKey(ca));
            v.update(message);
            return v.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private class Verifier implements CertificateVerifier {
        final List<HostCertificate> trusted;
        final Set<String> blocked = ConcurrentHashMap.newKeySet();

        Verifier(List<byte[]> pems) {
            List<HostCertificate> list = new ArrayList<>();
            for (byte[] p : pems) {
                list.add(parse(p));
            }
            this.trusted = List.copyOf(list);
        }

        @Override
        public List<HostCertificate> trusted() {
            return trusted;
        }

        @Override
        public byte[] bundlePem() {
            StringBuilder sb = new StringBuilder();
            trusted.forEach(c -> sb.append(c.pemText()));
            return sb.toString().getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public HostCertificate verify(byte[] certificatePem, Instant at) {
            HostCertificate c = parse(certificatePem);
            if (blocked.contains(c.fingerprint())) {
                throw new InvalidCertificateException(Reason.BLOCKLISTED, "certificate " + c.fingerprint() + " is blocklisted");
            }
            if (at.isBefore(c.notBefore())) {
                throw new InvalidCertificateException(Reason.NOT_YET_VALID, "certificate " + c.name() + " is not valid before " + c.notBefore());
            }
            if (at.isAfter(c.notAfter())) {
                throw new InvalidCertificateException(Reason.EXPIRED, "certificate " + c.name() + " expired at " + c.notAfter());
            }
            HostCertificate issuer = trusted.stream().filter(t -> t.fingerprint().equals(c.issuer())).findFirst()
                    .orElseThrow(() -> new InvalidCertificateException(Reason.UNTRUSTED_ISSUER,
                            "certificate " + c.name() + " was not signed by a trusted CA"));
            try {
                String text = new String(certificatePem, StandardCharsets.US_ASCII).strip();
                String b64 = text.substring(("-----BEGIN " + BANNER + "-----").length(), text.length() - ("-----END " + BANNER + "-----").length());
                JsonNode whole = JSON.readTree(Base64.getMimeDecoder().decode(b64.strip()));
                Signature v = Signature.getInstance("Ed25519");
                v.initVerify(publicKey(issuer));
                v.update(whole.get("details").toString().getBytes(StandardCharsets.UTF_8));
                if (!v.verify(Base64.getDecoder().decode(whole.get("signature").asText()))) {
                    throw new InvalidCertificateException(Reason.BAD_SIGNATURE, "certificate " + c.name() + " has a bad signature");
                }
            } catch (InvalidCertificateException e) {
                throw e;
            } catch (Exception e) {
                throw new InvalidCertificateException(Reason.BAD_SIGNATURE, "certificate " + c.name() + " has a bad signature", e);
            }
            checkConstraints(issuer, c.addresses(), c.groups(), c.notAfter());
            return c;
        }
    }

    private static void checkConstraints(HostCertificate ca, List<Ipv4Interface> ips, List<String> groups, Instant notAfter) {
        if (notAfter.isAfter(ca.notAfter())) {
            throw new InvalidCertificateException(Reason.CONSTRAINT_VIOLATION, "validity ends after the CA's (" + ca.notAfter() + ")");
        }
        for (Ipv4Interface ip : ips) {
            boolean inside = ca.addresses().isEmpty() || ca.addresses().stream()
                    .anyMatch(n -> n.network().contains(ip.address()) && n.prefixLength() <= ip.prefixLength());
            if (!inside) {
                throw new InvalidCertificateException(Reason.CONSTRAINT_VIOLATION, ip + " is outside the CA's networks " + ca.addresses());
            }
        }
        if (!ca.groups().isEmpty() && !ca.groups().containsAll(groups)) {
            throw new InvalidCertificateException(Reason.CONSTRAINT_VIOLATION, "groups " + groups + " are not all within the CA's " + ca.groups());
        }
    }

    private final class Authority extends Verifier implements CertificateAuthority {
        private final HostCertificate caCert;
        private final PrivateKey key;

        Authority(HostCertificate caCert, PrivateKey key) {
            super(List.of(caCert.pem()));
            this.caCert = caCert;
            this.key = key;
        }

        @Override
        public HostCertificate caCertificate() {
            return caCert;
        }

        @Override
        public HostCertificate issue(CertificateRequest request) {
            Instant now = clock.instant();
            if (now.isAfter(caCert.notAfter())) {
                throw new InvalidCertificateException(Reason.EXPIRED, "the CA expired at " + caCert.notAfter());
            }
            Instant notAfter = request.validity() == null ? caCert.notAfter().minusSeconds(1) : now.plus(request.validity());
            Ipv4Interface ip = new Ipv4Interface(request.address(), request.prefixLength());
            checkConstraints(caCert, List.of(ip), request.groups(), notAfter);
            ObjectNode details = JSON.createObjectNode();
            details.put("name", request.name());
            details.putArray("ips").add(ip.toString());
            ArrayNode g = details.putArray("groups");
            request.groups().forEach(g::add);
            Instant backdated = now.minus(request.backdate());
            details.put("notBefore", (backdated.isBefore(caCert.notBefore()) ? caCert.notBefore() : backdated)
                    .getEpochSecond());
            details.put("notAfter", notAfter.getEpochSecond());
            details.put("publicKey", Base64.getEncoder().encodeToString(request.publicKey()));
            details.put("ca", false);
            details.put("issuer", caCert.fingerprint());
            try {
                return parse(sign(details, key));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public byte[] exportPrivateKey() {
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
            return ("-----BEGIN " + KEY_BANNER + "-----\n" + b64 + "\n-----END " + KEY_BANNER + "-----\n").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] signStatement(byte[] message) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(message);
                return s.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void block(String fingerprint) {
            blocked.add(fingerprint);
        }
    }

}
