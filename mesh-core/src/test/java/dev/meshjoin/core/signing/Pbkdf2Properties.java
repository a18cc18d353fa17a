package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The verifier's PBKDF2 gives the JDK's PBKDF2WithHmacSHA256 key for any password — unpaired
 * surrogates included, and passwords longer than the 64-byte HMAC block — so nodes on either
 * implementation agree on the verifier.
 */
class Pbkdf2Properties {

    @Property(tries = 200)
    void equalsTheJdksForAnyPasswordAndSalt(@ForAll @Size(min = 1, max = 100) char[] password,
                                           @ForAll @Size(min = 16, max = 32) byte[] salt,
                                           @ForAll @IntRange(min = 1, max = 50) int iterations) throws Exception {
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.clone(), salt, iterations, 256)).getEncoded();
        assertThat(SigningCrypto.pbkdf2(password, salt, iterations)).isEqualTo(jdk);
    }

    @Property(tries = 1)
    void rfc7914sTestVector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P = "passwd", S = "salt", c = 1; its first 32 bytes.
        assertThat(java.util.HexFormat.of().formatHex(SigningCrypto.pbkdf2("passwd".toCharArray(),
                "salt".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1)))
                .isEqualTo("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
    }

    @Property(tries = 1)
    void theProtocolRoundsToo() throws Exception {
        char[] secret = "a-network-secret-ünïcode-🔑".toCharArray();
        byte[] salt = new byte[16];
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(secret.clone(), salt, NetworkSecret.ITERATIONS, 256)).getEncoded();
        assertThat(SigningCrypto.pbkdf2(secret, salt, NetworkSecret.ITERATIONS)).isEqualTo(jdk);
    }
}
