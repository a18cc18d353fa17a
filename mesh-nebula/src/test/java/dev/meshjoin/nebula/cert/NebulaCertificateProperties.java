package dev.meshjoin.nebula.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the v1 encoding and of the parser's refusals. */
class NebulaCertificateProperties {
    /** Instants the certificate can carry and java.time can represent. */
    private static final long MAX_SECONDS = Instant.MAX.getEpochSecond();

    @Provide
    Arbitrary<NebulaCertificate> certificates() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(20);
        Arbitrary<Ipv4Interface> nets = Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 32))
                .as((bits, prefix) -> new Ipv4Interface(new Ipv4Address(bits), prefix));
        Arbitrary<Instant> times = Arbitraries.longs().between(-MAX_SECONDS, MAX_SECONDS).map(Instant::ofEpochSecond);
        Arbitrary<byte[]> keys = Arbitraries.bytes().array(byte[].class).ofSize(32);
        Arbitrary<String> issuers = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40).map(java.util.HexFormat.of()::formatHex));
        Arbitrary<byte[]> signatures = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<NebulaCertificate.Details> details = Combinators.combine(text, nets.list().ofMaxSize(4),
                nets.list().ofMaxSize(4), text.list().ofMaxSize(5), times, times, keys,
                Arbitraries.of(true, false)).as((name, ips, subnets, groups, nb, na, key, ca) ->
                        new NebulaCertificate.Details(name, ips, subnets, groups, nb, na, key, ca, ""));
        return Combinators.combine(details, issuers, signatures).as((d, issuer, sig) -> {
            NebulaCertificate.Details withIssuer = new NebulaCertificate.Details(d.name(), d.ips(), d.subnets(), d.groups(),
                    d.notBefore(), d.notAfter(), d.publicKey(), d.ca(), issuer);
            return withSignature(withIssuer, sig);
        });
    }

    /** A certificate with an arbitrary signature, built through the public parser. */
    private static NebulaCertificate withSignature(NebulaCertificate.Details details, byte[] signature) {
        Proto.Writer w = new Proto.Writer();
        w.lengthDelimited(1, details.marshal());
        w.bytes(2, signature);
        return NebulaCertificate.parse(w.toByteArray());
    }

    @Property(tries = 500)
    void encodeDecodeEncodeIsTheIdentity(@ForAll("certificates") NebulaCertificate cert) {
        byte[] encoded = cert.marshal();
        NebulaCertificate decoded = NebulaCertificate.parse(encoded);
        assertThat(decoded.marshal()).isEqualTo(encoded);
        assertThat(decoded.details()).isEqualTo(cert.details());
        assertThat(decoded.signature()).isEqualTo(cert.signature());
        assertThat(decoded.isCanonical()).isTrue();
        assertThat(NebulaCertificate.fromPem(decoded.toPem()).marshal()).isEqualTo(encoded);
    }

    @Property(tries = 300)
    void signedCertificatesVerifyAndJsonStaysOneLine(@ForAll("certificates") NebulaCertificate cert) {
        CaSigningKey key = CaSigningKey.fromSeed(Arrays.copyOf(cert.details().publicKey(), 32));
        NebulaCertificate signed = NebulaCertificate.sign(cert.details(), key);
        assertThat(signed.checkSignature(key.publicKey())).isTrue();
        assertThat(NebulaCertificate.parse(signed.marshal()).checkSignature(key.publicKey())).isTrue();
        assertThat(signed.toJson()).doesNotContain("\n").startsWith("{\"details\":{");
    }

    @Property(tries = 2000)
    void arbitraryBytesGiveOnlyOurException(@ForAll @Size(max = 300) byte[] bytes) {
        parseOrRefuse(bytes);
    }

    /**
     * A truncation is refused as malformed, except the one cut exactly before the signature field,
     * which is a well-formed certificate without its signature (and so never verifies).
     */
    @Property(tries = 300)
    void truncationsAreRefusedOrLoseTheSignature(@ForAll("certificates") NebulaCertificate cert) {
        byte[] encoded = cert.marshal();
        for (int len = 0; len < encoded.length; len++) {
            byte[] truncated = Arrays.copyOf(encoded, len);
            try {
                NebulaCertificate parsed = NebulaCertificate.parse(truncated);
                assertThat(parsed.signature()).as("length %d of %d", len, encoded.length).isEmpty();
                assertThat(cert.signature()).isNotEmpty();
                assertThat(parsed.details()).isEqualTo(cert.details());
            } catch (InvalidCertificateException e) {
                assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            }
        }
    }

    @Property(tries = 1000)
    void mutatedCertificatesGiveOnlyOurException(@ForAll("certificates") NebulaCertificate cert,
                                                 @ForAll @IntRange(min = 0, max = 10_000) int position,
                                                 @ForAll byte value) {
        byte[] encoded = cert.marshal();
        encoded[position % encoded.length] = value;
        parseOrRefuse(encoded);
    }

    @Property(tries = 1000)
    void arbitraryPemTextGivesOnlyOurException(@ForAll @Size(max = 200) List<@net.jqwik.api.constraints.CharRange(from = ' ', to = '~') Character> chars,
                                               @ForAll boolean wrap) {
        StringBuilder sb = new StringBuilder();
        chars.forEach(sb::append);
        String text = wrap ? "-----BEGIN NEBULA CERTIFICATE-----\n" + sb + "\n-----END NEBULA CERTIFICATE-----\n" : sb.toString();
        try {
            NebulaCaPool.fromBundle(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (InvalidCertificateException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static void parseOrRefuse(byte[] bytes) {
        try {
            NebulaCertificate c = NebulaCertificate.parse(bytes);
            // Whatever parses must re-encode and print without any other exception.
            assertThat(NebulaCertificate.parse(c.marshal()).marshal()).isEqualTo(c.marshal());
            assertThat(c.toJson()).isNotEmpty();
            assertThat(c.toHostCertificate().fingerprint()).hasSize(64);
        } catch (InvalidCertificateException e) {
            assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
