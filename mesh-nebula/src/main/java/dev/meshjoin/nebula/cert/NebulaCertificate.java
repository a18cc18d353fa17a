package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A Nebula v1 certificate: {@link Details} and an Ed25519 signature over the details' canonical
 * protobuf encoding. Byte-compatible with {@code nebula-cert} (v1.6.1 and later v1):
 *
 * <pre>
 * RawNebulaCertificate        { 1: details (message), 2: signature (bytes) }
 * RawNebulaCertificateDetails { 1: name, 2: ips (packed uint32 address,mask pairs),
 *                               3: subnets (same), 4: groups (repeated string),
 *                               5: notBefore (int64 unix s), 6: notAfter, 7: publicKey,
 *                               8: isCA, 9: issuer (raw fingerprint bytes) }
 * </pre>
 *
 * Nebula checks a signature against its own re-encoding of the parsed fields, and a fingerprint is
 * the SHA-256 of that re-encoding, so {@link #marshal()} writes exactly what Go's marshaller writes.
 * {@link #parse(byte[])} accepts any proto3 encoding (as Go does) and keeps the bytes it was given;
 * {@link #isCanonical()} says whether they equal the re-encoding.
 *
 * <pre>{@code
 * NebulaCertificate cert = NebulaCertificate.fromPem(Files.readAllBytes(Path.of("host.crt")));
 * cert.details().name();     // "host1"
 * cert.fingerprint();        // as nebula-cert print shows it
 * }</pre>
 */
public final class NebulaCertificate {
    private static final HexFormat HEX = HexFormat.of();
    /** The curve field of later Nebula versions; 0 (Curve25519) is the only value v1 here knows. */
    private static final int CURVE_FIELD = 100;

    private final Details details;
    private final byte[] signature;
    private final byte[] encoded;

    /**
     * The signed part of a certificate.
     *
     * @param name the certificate name (a host name, or the CA's name)
     * @param ips overlay addresses with their network's prefix length (for a CA: the networks it may sign in)
     * @param subnets unsafe routes this host serves (for a CA: the subnets it may sign)
     * @param groups groups, in order (for a CA: the groups it may sign)
     * @param notBefore start of validity, whole seconds
     * @param notAfter end of validity, whole seconds
     * @param publicKey X25519 public key for a host, Ed25519 public key for a CA; 32 bytes
     * @param ca whether this is a CA certificate
     * @param issuer lower-case hex fingerprint of the signing CA, empty for a self-signed CA
     */
    public record Details(String name, List<Ipv4Interface> ips, List<Ipv4Interface> subnets, List<String> groups,
                          Instant notBefore, Instant notAfter, byte[] publicKey, boolean ca, String issuer) {

        public Details {
            Objects.requireNonNull(name, "name");
            ips = List.copyOf(ips);
            subnets = List.copyOf(subnets);
            groups = List.copyOf(groups);
            notBefore = Instant.ofEpochSecond(notBefore.getEpochSecond());
            notAfter = Instant.ofEpochSecond(notAfter.getEpochSecond());
            if (publicKey.length != CaSigningKey.KEY_LENGTH) {
                throw Proto.malformed("a certificate public key must be 32 bytes, got " + publicKey.length);
            }
            publicKey = publicKey.clone();
            Objects.requireNonNull(issuer, "issuer");
            if (issuer.length() % 2 != 0 || !issuer.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw Proto.malformed("an issuer must be a lower-case hex fingerprint, got '" + issuer + "'");
            }
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** The canonical protobuf encoding: what the signature covers. */
        public byte[] marshal() {
            Proto.Writer w = new Proto.Writer();
            w.string(1, name);
            w.packedUint32(2, pairs(ips));
            w.packedUint32(3, pairs(subnets));
            for (String g : groups) {
                w.repeatedString(4, g);
            }
            w.int64(5, notBefore.getEpochSecond());
            w.int64(6, notAfter.getEpochSecond());
            w.bytes(7, publicKey);
            w.bool(8, ca);
            w.bytes(9, HEX.parseHex(issuer));
            return w.toByteArray();
        }

        private static int[] pairs(List<Ipv4Interface> nets) {
            int[] out = new int[nets.size() * 2];
            for (int i = 0; i < nets.size(); i++) {
                out[2 * i] = nets.get(i).address().bits();
                out[2 * i + 1] = Ipv4Cidr.mask(nets.get(i).prefixLength());
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Details d && name.equals(d.name) && ips.equals(d.ips) && subnets.equals(d.subnets)
                    && groups.equals(d.groups) && notBefore.equals(d.notBefore) && notAfter.equals(d.notAfter)
                    && Arrays.equals(publicKey, d.publicKey) && ca == d.ca && issuer.equals(d.issuer);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, ips, subnets, groups, notBefore, notAfter, Arrays.hashCode(publicKey), ca, issuer);
        }

        @Override
        public String toString() {
            return "Details[" + name + " ips " + ips + " subnets " + subnets + " groups " + groups + " " + notBefore
                    + ".." + notAfter + (ca ? " CA" : "") + " issuer " + issuer + "]";
        }
    }

    private NebulaCertificate(Details details, byte[] signature, byte[] encoded) {
        this.details = details;
        this.signature = signature;
        this.encoded = encoded;
    }

    /** Signs details with a CA key. The caller has checked the CA's constraints. */
    public static NebulaCertificate sign(Details details, CaSigningKey key) {
        byte[] signature = key.sign(details.marshal());
        return new NebulaCertificate(details, signature, marshal(details, signature));
    }

    /**
     * Parses a marshalled certificate (the bytes inside a PEM block).
     *
     * @throws InvalidCertificateException ({@code MALFORMED}) for anything that is not one
     */
    public static NebulaCertificate parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw Proto.malformed("the certificate is empty");
        }
        Proto.Reader r = new Proto.Reader(bytes, "the certificate");
        byte[] rawDetails = null;
        byte[] signature = new byte[0];
        while (r.hasMore()) {
            long tag = r.tag();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == Proto.LEN) {
                if (rawDetails != null) {
                    throw Proto.malformed("the certificate holds its details twice");
                }
                rawDetails = r.lengthDelimited();
            } else if (field == 2 && wire == Proto.LEN) {
                signature = r.lengthDelimited();
            } else if (field <= 2) {
                throw Proto.malformed("the certificate's field " + field + " has the wrong wire type " + wire);
            } else {
                r.skip(wire);
            }
        }
        if (rawDetails == null) {
            throw Proto.malformed("the certificate holds no details");
        }
        return new NebulaCertificate(parseDetails(rawDetails), signature, bytes.clone());
    }

    private static Details parseDetails(byte[] raw) {
        Proto.Reader r = new Proto.Reader(raw, "the certificate details");
        String name = "";
        List<Integer> ips = new ArrayList<>();
        List<Integer> subnets = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        long notBefore = 0;
        long notAfter = 0;
        byte[] publicKey = new byte[0];
        boolean ca = false;
        byte[] issuer = new byte[0];
        while (r.hasMore()) {
            long tag = r.tag();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            switch (field) {
                case 1 -> name = expect(wire, Proto.LEN, field, r).string("name");
                case 2 -> readUint32s(r, wire, ips, "ips");
                case 3 -> readUint32s(r, wire, subnets, "subnets");
                case 4 -> groups.add(expect(wire, Proto.LEN, field, r).string("groups"));
                case 5 -> notBefore = expect(wire, Proto.VARINT, field, r).varint();
                case 6 -> notAfter = expect(wire, Proto.VARINT, field, r).varint();
                case 7 -> publicKey = expect(wire, Proto.LEN, field, r).lengthDelimited();
                case 8 -> ca = expect(wire, Proto.VARINT, field, r).varint() != 0;
                case 9 -> issuer = expect(wire, Proto.LEN, field, r).lengthDelimited();
                case CURVE_FIELD -> {
                    if (expect(wire, Proto.VARINT, field, r).varint() != 0) {
                        throw Proto.malformed("the certificate uses a curve other than Curve25519, which is not supported");
                    }
                }
                default -> r.skip(wire);
            }
        }
        if (ips.size() % 2 != 0) {
            throw Proto.malformed("the certificate's ips are not address/mask pairs: an odd number was found");
        }
        if (subnets.size() % 2 != 0) {
            throw Proto.malformed("the certificate's subnets are not address/mask pairs: an odd number was found");
        }
        Instant before;
        Instant after;
        try {
            before = Instant.ofEpochSecond(notBefore);
            after = Instant.ofEpochSecond(notAfter);
        } catch (DateTimeException e) {
            throw Proto.malformed("the certificate's validity lies outside the representable time range");
        }
        return new Details(name, interfaces(ips, "ips"), interfaces(subnets, "subnets"), groups, before, after,
                publicKey, ca, HEX.formatHex(issuer));
    }

    private static Proto.Reader expect(int wire, int expected, int field, Proto.Reader r) {
        if (wire != expected) {
            throw Proto.malformed("the certificate details' field " + field + " has the wrong wire type " + wire);
        }
        return r;
    }

    private static void readUint32s(Proto.Reader r, int wire, List<Integer> into, String field) {
        if (wire == Proto.VARINT) {
            into.add(r.uint32(field));
        } else if (wire == Proto.LEN) {
            Proto.Reader packed = new Proto.Reader(r.lengthDelimited(), "the certificate's " + field);
            while (packed.hasMore()) {
                into.add(packed.uint32(field));
            }
        } else {
            throw Proto.malformed("the certificate's " + field + " field has the wrong wire type " + wire);
        }
    }

    private static List<Ipv4Interface> interfaces(List<Integer> pairs, String field) {
        List<Ipv4Interface> out = new ArrayList<>(pairs.size() / 2);
        for (int i = 0; i < pairs.size(); i += 2) {
            int mask = pairs.get(i + 1);
            int prefix = Integer.bitCount(mask);
            if (Ipv4Cidr.mask(prefix) != mask) {
                throw Proto.malformed("the certificate's " + field + " hold a non-contiguous mask "
                        + new Ipv4Address(mask));
            }
            out.add(new Ipv4Interface(new Ipv4Address(pairs.get(i)), prefix));
        }
        return out;
    }

    /** Parses the first {@value NebulaPem#CERTIFICATE} PEM block. */
    public static NebulaCertificate fromPem(byte[] pem) {
        return parse(NebulaPem.decode(NebulaPem.CERTIFICATE, pem));
    }

    /** Parses every block of a bundle; every block must be a certificate, and there must be one. */
    public static List<NebulaCertificate> parseBundle(byte[] pem) {
        List<NebulaPem.Block> blocks = NebulaPem.decodeAll(pem);
        if (blocks.isEmpty()) {
            throw Proto.malformed("no " + NebulaPem.CERTIFICATE + " PEM block found");
        }
        List<NebulaCertificate> out = new ArrayList<>(blocks.size());
        for (NebulaPem.Block b : blocks) {
            if (!b.banner().equals(NebulaPem.CERTIFICATE)) {
                throw Proto.malformed("expected only " + NebulaPem.CERTIFICATE + " blocks, found " + b.banner());
            }
            out.add(parse(b.bytes()));
        }
        return out;
    }

    private static byte[] marshal(Details details, byte[] signature) {
        Proto.Writer w = new Proto.Writer();
        w.lengthDelimited(1, details.marshal());
        w.bytes(2, signature);
        return w.toByteArray();
    }

    public Details details() {
        return details;
    }

    public byte[] signature() {
        return signature.clone();
    }

    /** The canonical encoding, as Go's marshaller writes it; what the fingerprint covers. */
    public byte[] marshal() {
        return marshal(details, signature);
    }

    /** The bytes this certificate was parsed from (or, for one made here, its canonical encoding). */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** True when the parsed bytes equal the canonical re-encoding. */
    public boolean isCanonical() {
        return Arrays.equals(encoded, marshal());
    }

    /** The PEM text of the bytes this certificate came from. */
    public byte[] toPem() {
        return NebulaPem.encode(NebulaPem.CERTIFICATE, encoded);
    }

    /** Lower-case hex SHA-256 of the canonical encoding, as {@code nebula-cert print} shows it. */
    public String fingerprint() {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(marshal()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** True when the signature over the canonical details verifies under {@code ed25519PublicKey}. */
    public boolean checkSignature(byte[] ed25519PublicKey) {
        return CaSigningKey.verify(ed25519PublicKey, details.marshal(), signature);
    }

    /** Outside the validity window at {@code at}, with Nebula's inclusive bounds. */
    public boolean expired(Instant at) {
        return details.notBefore.isAfter(at) || details.notAfter.isBefore(at);
    }

    /** This certificate as the SPI's value type. */
    public HostCertificate toHostCertificate() {
        return new HostCertificate(toPem(), fingerprint(), details.name, details.ips, details.groups,
                details.notBefore, details.notAfter, details.publicKey, details.ca, details.issuer);
    }

    /**
     * The JSON object {@code nebula-cert print -json} writes for this certificate (keys sorted,
     * times in RFC 3339 UTC, hex keys), without the trailing newline.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder(700);
        sb.append("{\"details\":{\"groups\":");
        jsonArray(sb, details.groups);
        sb.append(",\"ips\":");
        jsonArray(sb, details.ips.stream().map(Ipv4Interface::toString).toList());
        sb.append(",\"isCa\":").append(details.ca);
        sb.append(",\"issuer\":");
        jsonString(sb, details.issuer);
        sb.append(",\"name\":");
        jsonString(sb, details.name);
        sb.append(",\"notAfter\":");
        jsonString(sb, DateTimeFormatter.ISO_INSTANT.format(details.notAfter));
        sb.append(",\"notBefore\":");
        jsonString(sb, DateTimeFormatter.ISO_INSTANT.format(details.notBefore));
        sb.append(",\"publicKey\":");
        jsonString(sb, HEX.formatHex(details.publicKey));
        sb.append(",\"subnets\":");
        jsonArray(sb, details.subnets.stream().map(Ipv4Interface::toString).toList());
        sb.append("},\"fingerprint\":");
        jsonString(sb, fingerprint());
        sb.append(",\"signature\":");
        jsonString(sb, HEX.formatHex(signature));
        return sb.append('}').toString();
    }

    /** The text {@code nebula-cert print} writes for this certificate, without the trailing newline. */
    public String toText() {
        DateTimeFormatter goTime = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss '+0000 UTC'").withZone(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(700);
        sb.append("NebulaCertificate {\n\tDetails {\n\t\tName: ").append(details.name).append('\n');
        textList(sb, "Ips", details.ips.stream().map(Ipv4Interface::toString).toList());
        textList(sb, "Subnets", details.subnets.stream().map(Ipv4Interface::toString).toList());
        textList(sb, "Groups", details.groups.stream().map(g -> "\"" + g + "\"").toList());
        sb.append("\t\tNot before: ").append(goTime.format(details.notBefore)).append('\n');
        sb.append("\t\tNot After: ").append(goTime.format(details.notAfter)).append('\n');
        sb.append("\t\tIs CA: ").append(details.ca).append('\n');
        sb.append("\t\tIssuer: ").append(details.issuer).append('\n');
        sb.append("\t\tPublic key: ").append(HEX.formatHex(details.publicKey)).append('\n');
        sb.append("\t}\n\tFingerprint: ").append(fingerprint()).append('\n');
        sb.append("\tSignature: ").append(HEX.formatHex(signature)).append("\n}");
        return sb.toString();
    }

    private static void textList(StringBuilder sb, String label, List<String> items) {
        if (items.isEmpty()) {
            sb.append("\t\t").append(label).append(": []\n");
            return;
        }
        sb.append("\t\t").append(label).append(": [\n");
        items.forEach(i -> sb.append("\t\t\t").append(i).append('\n'));
        sb.append("\t\t]\n");
    }

    private static void jsonArray(StringBuilder sb, List<String> items) {
        sb.append('[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            jsonString(sb, items.get(i));
        }
        sb.append(']');
    }

    /** A JSON string escaped as Go's encoding/json escapes it (HTML-safe). */
    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NebulaCertificate c && Arrays.equals(encoded, c.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "NebulaCertificate[" + details + "]";
    }
}
