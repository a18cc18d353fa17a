package dev.meshjoin.core.lighthouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JustAdmittedTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private static HostCertificate cert(String name, String address, Duration validity) {
        return new HostCertificate(new byte[] {1}, "fp-" + name, name, List.of(Ipv4Interface.parse(address + "/16")),
                List.of("workers"), T0.minusSeconds(60), T0.plus(validity), new byte[32], false, "ca");
    }

    @Test
    void aCertificateIsKnownByItsAddressForFiveMinutesAndNotAfter() {
        JustAdmitted a = new JustAdmitted();
        a.remember(cert("w1", "10.42.0.7", Duration.ofDays(1)), T0);
        Ipv4Address at = Ipv4Address.parse("10.42.0.7");
        assertThat(a.get(at, T0.plusSeconds(1))).get().extracting(HostCertificate::name).isEqualTo("w1");
        assertThat(a.get(Ipv4Address.parse("10.42.0.8"), T0)).isEmpty();
        assertThat(a.get(at, T0.plus(JustAdmitted.KEEP).minusSeconds(1))).isPresent();
        assertThat(a.get(at, T0.plus(JustAdmitted.KEEP).plusSeconds(1))).as("after KEEP the store answers").isEmpty();
        assertThat(a.size()).as("and it is forgotten").isZero();
    }

    @Test
    void anExpiredCertificateIsNotAnswered() {
        JustAdmitted a = new JustAdmitted();
        a.remember(cert("short", "10.42.0.9", Duration.ofSeconds(30)), T0);
        assertThat(a.get(Ipv4Address.parse("10.42.0.9"), T0.plusSeconds(31))).isEmpty();
    }

    @Test
    void itNeverHoldsMoreThanItsBoundAndMakesRoomFromTheOldest() {
        JustAdmitted a = new JustAdmitted();
        for (int i = 0; i < JustAdmitted.MAX + 100; i++) {
            a.remember(cert("n" + i, "10.42." + (i / 250) + "." + (i % 250 + 1), Duration.ofDays(1)), T0);
        }
        assertThat(a.size()).isEqualTo(JustAdmitted.MAX);
        // Once the first ones are older than KEEP, a new admission prunes them and is kept.
        a.remember(cert("late", "10.43.0.1", Duration.ofDays(1)), T0.plus(JustAdmitted.KEEP).plusSeconds(1));
        assertThat(a.get(Ipv4Address.parse("10.43.0.1"), T0.plus(JustAdmitted.KEEP).plusSeconds(2))).isPresent();
        assertThat(a.size()).isEqualTo(1);
    }
}
