package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** mjt2 tokens carry the CA pin; mjt1 tokens of older versions still parse, without one; anything else is refused clearly. */
class EnrollmentTokenFormatTest {
    private static final String SECRET = "A".repeat(43);
    private static final String FP = "5e1f".repeat(16);

    @Test
    void aNewTokenCarriesTheCaFingerprintItWasMadeFor() {
        EnrollmentToken t = EnrollmentToken.generate(FP);
        assertThat(t.text()).startsWith("mjt2." + t.id() + ".").endsWith("." + FP);
        assertThat(EnrollmentToken.of(t.text()).caFingerprint()).contains(FP);
        assertThat(Credential.idOf(Credential.token(t.text()))).isEqualTo("token:" + t.id());
    }

    @Test
    void anOldTokenStillParsesWithoutAPin() {
        EnrollmentToken t = EnrollmentToken.of("mjt1.0011223344556677." + SECRET);
        assertThat(t.id()).isEqualTo("0011223344556677");
        assertThat(t.caFingerprint()).isEmpty();
    }

    @Test
    void mixedOrDamagedTokensAreRefusedWithTheExpectedShapesAndNeverEchoed() {
        for (String bad : new String[] {"mjt1.0011223344556677." + SECRET + "." + FP, "mjt2.0011223344556677." + SECRET,
                "mjt2.0011223344556677." + SECRET + ".XYZ", "mjt3.0011223344556677." + SECRET + "." + FP,
                "mjt2.0011223344556677." + SECRET + "." + "a".repeat(200), ""}) {
            assertThatThrownBy(() -> EnrollmentToken.of(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mjt2.<16 hex digits>.<43 base64url characters>.<CA fingerprint>")
                    .hasMessageContaining("mjt1.")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        }
    }
}
