package dev.meshjoin.nebula.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NebulaPemTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void malformed(byte[] pem, String part, java.util.function.Function<byte[], ?> decoder) {
        assertThatThrownBy(() -> decoder.apply(pem)).isInstanceOfSatisfying(InvalidCertificateException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED)).hasMessageContaining(part);
    }

    @Test
    void encodesLikeGoWrappingAt64Columns() {
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        String pem = new String(NebulaPem.encode("NEBULA CERTIFICATE", data), StandardCharsets.US_ASCII);
        String[] lines = pem.split("\n");
        assertThat(lines[0]).isEqualTo("-----BEGIN NEBULA CERTIFICATE-----");
        assertThat(lines[1]).hasSize(64);
        assertThat(lines[lines.length - 1]).isEqualTo("-----END NEBULA CERTIFICATE-----");
        assertThat(pem).endsWith("-----\n");
        assertThat(NebulaPem.decode("NEBULA CERTIFICATE", ascii(pem))).isEqualTo(data);
    }

    @Test
    void decodesBundlesWithTextAroundAndCrlf() {
        byte[] a = NebulaPem.encode(NebulaPem.CERTIFICATE, new byte[] {1, 2, 3});
        byte[] b = NebulaPem.encode(NebulaPem.CERTIFICATE, new byte[] {4, 5});
        String text = "# comment\r\n" + new String(a, StandardCharsets.US_ASCII).replace("\n", "\r\n") + "between\n"
                + new String(b, StandardCharsets.US_ASCII);
        var blocks = NebulaPem.decodeAll(ascii(text));
        assertThat(blocks).hasSize(2);
        assertThat(blocks.get(0).bytes()).containsExactly(1, 2, 3);
        assertThat(blocks.get(1).bytes()).containsExactly(4, 5);
    }

    @Test
    void refusesWrongBannersLengthsAndBrokenBlocks() {
        byte[] pub = NebulaPem.encodeX25519PublicKey(new byte[32]);
        malformed(pub, "expected a NEBULA X25519 PRIVATE KEY", NebulaPem::decodeX25519PrivateKey);
        malformed(pub, "expected a NEBULA ED25519 PRIVATE KEY", NebulaPem::decodeEd25519PrivateKey);
        malformed(NebulaPem.encode(NebulaPem.X25519_PUBLIC_KEY, new byte[31]), "32 bytes", NebulaPem::decodeX25519PublicKey);
        malformed(NebulaPem.encode(NebulaPem.ED25519_PRIVATE_KEY, new byte[32]), "64 bytes", NebulaPem::decodeEd25519PrivateKey);
        malformed(ascii("nothing here"), "no PEM block", NebulaPem::decodeX25519PublicKey);
        malformed(ascii("-----BEGIN NEBULA X25519 PUBLIC KEY-----\nAAAA\n"), "no END line", NebulaPem::decodeX25519PublicKey);
        malformed(ascii("-----BEGIN NEBULA X25519 PUBLIC KEY-----\n!!!!\n-----END NEBULA X25519 PUBLIC KEY-----\n"),
                "not valid base64", NebulaPem::decodeX25519PublicKey);
        malformed(ascii("-----BEGIN NEBULA CERTIFICATE-----\nProc-Type: 4\n\nAAAA\n-----END NEBULA CERTIFICATE-----\n"),
                "headers", NebulaCertificate::fromPem);
        malformed(NebulaPem.encodeX25519PublicKey(new byte[32]), "expected only NEBULA CERTIFICATE", NebulaCertificate::parseBundle);
    }

    @Test
    void aCorruptCaKeyWhosePublicHalfDoesNotMatchIsRefused() {
        byte[] raw = CaSigningKey.generate(new java.security.SecureRandom()).toNebulaBytes();
        raw[40] ^= 1;
        assertThatThrownBy(() -> CaSigningKey.fromPem(NebulaPem.encodeEd25519PrivateKey(raw)))
                .isInstanceOfSatisfying(InvalidCertificateException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_MISMATCH));
    }
}
