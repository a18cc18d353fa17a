package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The signing service's own key is renewed with its lighthouse's certificate: over real HTTP on
 * loopback, a joiner that cached the old service key is answered 409, fetches the new one and joins.
 */
class SigningKeyRenewalIT {

    @Test
    void aRenewedLighthouseCertificateGivesTheServiceANewKeyAndJoinsStillSucceed() {
        try (SigningFixture f = SigningFixture.generous(Clock.systemUTC())) {
            HttpSigningServer server = (HttpSigningServer) f.server;
            HostCertificate before = server.serviceCertificate();
            assertThat(f.join("first", List.of("workers"), f.secret()).address()).startsWith("10.42.");

            HostKeyPair lhKeys = f.provider.newHostKeyPair();
            HostCertificate renewed = f.lighthouse.certify("lh-1", lhKeys.publicKey(), f.cidr.addressAt(1), List.of());
            f.lighthouse.renewService(renewed);

            HostCertificate after = server.serviceCertificate();
            assertThat(after.fingerprint()).isNotEqualTo(before.fingerprint());
            assertThat(after.publicKey()).isNotEqualTo(before.publicKey());
            assertThat(after.notAfter()).isBeforeOrEqualTo(renewed.notAfter());
            assertThat(after.name()).isEqualTo("lh-1");
            assertThat(after.groups()).contains("lighthouse");
            f.pinned().verify(after.pem(), f.clock.instant());

            // The transport still holds the old service key: it is told 409, fetches the new one, joins.
            assertThat(f.join("second", List.of("workers"), f.secret()).address()).startsWith("10.42.");
        }
    }
}
