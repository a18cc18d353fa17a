package dev.meshjoin.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.CertificateAuthority;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When a certificate is renewed: two thirds of the lifetime it was issued with, its backdating aside. */
class MemberStateTest {
    private static final Instant ISSUED = Instant.parse("2026-12-01T12:00:00Z");

    private static Instant renewAtOfIssued(Duration validity) {
        return MemberState.renewAt(ISSUED.minus(CertificateAuthority.BACKDATE), ISSUED.plus(validity));
    }

    @Test
    void aBackdatedCertificateRenewsTwoThirdsIntoItsValidity() {
        assertThat(renewAtOfIssued(Duration.ofMinutes(2))).isEqualTo(ISSUED.plusSeconds(80));
        assertThat(renewAtOfIssued(Duration.ofMinutes(1))).as("never at once").isEqualTo(ISSUED.plusSeconds(40));
        assertThat(renewAtOfIssued(Duration.ofDays(30))).isEqualTo(ISSUED.plus(Duration.ofDays(20)));
    }

    @Test
    void aCertificateShorterThanTheBackdateRenewsTwoThirdsIntoItsWholeLifetime() {
        Instant notBefore = ISSUED;
        assertThat(MemberState.renewAt(notBefore, notBefore.plusSeconds(90))).isEqualTo(notBefore.plusSeconds(60));
    }
}
