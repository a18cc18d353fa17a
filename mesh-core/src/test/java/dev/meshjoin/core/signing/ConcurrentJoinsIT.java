package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ip.Lease;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 500 joins at once over real HTTP on loopback against one signing service. */
class ConcurrentJoinsIT {
    private static final int JOINS = 500;

    @Test
    void fiveHundredConcurrentJoinsGetDistinctAddressesVerifyingCertificatesAndNoLeaseIsLost() throws Exception {
        try (SigningFixture f = SigningFixture.generous(Clock.systemUTC())) {
            JoinCredentials creds = f.secret();
            ExecutorService pool = Executors.newFixedThreadPool(64);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<JoinResponse>> futures = new ArrayList<>();
            for (int i = 0; i < JOINS; i++) {
                String name = "w-" + i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return f.join(name, List.of("workers"), creds);
                }));
            }
            start.countDown();
            CertificateVerifier pinned = f.pinned();
            Map<String, HostCertificate> byAddress = new HashMap<>();
            for (Future<JoinResponse> fu : futures) {
                JoinResponse r = fu.get(120, TimeUnit.SECONDS);
                HostCertificate cert = pinned.verify(r.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        Clock.systemUTC().instant());
                HostCertificate previous = byAddress.put(cert.address().toString(), cert);
                assertThat(previous).as("address %s issued twice", cert.address()).isNull();
            }
            pool.shutdown();
            assertThat(byAddress).hasSize(JOINS).doesNotContainKey("10.42.0.1");

            List<Lease> leases = f.allocator.leases();
            Map<String, Lease> leaseByAddress = new HashMap<>();
            leases.forEach(l -> leaseByAddress.put(l.address().toString(), l));
            assertThat(leases).hasSize(JOINS + 1);
            for (HostCertificate cert : byAddress.values()) {
                Lease l = leaseByAddress.get(cert.address().toString());
                assertThat(l).as("lease of %s", cert.name()).isNotNull();
                assertThat(l.node()).isEqualTo(cert.name());
                assertThat(l.releasedAt()).isEmpty();
                assertThat(l.holdUntil()).isAfterOrEqualTo(cert.notAfter());
                assertThat(f.allocator.leaseOf(cert.name())).contains(l);
            }
            assertThat(f.store.list(f.keys.members())).hasSize(JOINS);
        }
    }
}
