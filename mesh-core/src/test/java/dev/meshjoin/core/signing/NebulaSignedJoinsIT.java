package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ip.Lease;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.ip.IpAllocator;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.core.join.Registrar;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The signing service with the real Nebula CA: concurrent joins over HTTP on loopback get distinct
 * addresses and Nebula v1 certificates that verify against the pinned CA, the service's own
 * certificate included. (Here rather than in mesh-testkit, which cannot depend on mesh-nebula.)
 */
class NebulaSignedJoinsIT {
    private static final int JOINS = 500;

    @Test
    void concurrentJoinsGetNebulaCertificatesThatVerify() throws Exception {
        Clock clock = Clock.systemUTC();
        NebulaCertificateAuthorityProvider provider = new NebulaCertificateAuthorityProvider();
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        StoreKeys keys = StoreKeys.of("neb");
        Ipv4Cidr cidr = Ipv4Cidr.parse("10.77.0.0/16");
        CertificateAuthority ca = provider.create(CaSpec.forNetwork("neb CA", cidr, Duration.ofDays(30)));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        NetworkRecord rec = new NetworkRecord(Versioned.SCHEMA, "neb", cidr.toString(), provider.type(),
                ca.caCertificate().pemText(), ca.caCertificate().fingerprint(),
                List.of(new NetworkRecord.LighthouseEntry("lh", "10.77.0.1", List.of("127.0.0.1:4242"), "127.0.0.1:" + port)),
                "lh", clock.instant(), Base64.getEncoder().encodeToString(salt));
        store.putIfAbsent(keys.network(), Json.write(rec));
        JoinNetwork network = NetworkView.of(rec, keys.network()).joinNetwork();
        String secret = "nebula-join-test-secret-0123";
        HostKeyPair lh = provider.newHostKeyPair();
        try (Lighthouse lighthouse = Lighthouse.builder(store, "neb").ca(ca).network(cidr)
                .lighthouses(() -> Set.of(Ipv4Address.parse("10.77.0.1")))
                .admission(CredentialAdmission.builder(store, "neb").networkSecret(secret.toCharArray(), List.of("workers")).build())
                .signingServers(HttpSigningServerFactory.builder(store, "neb")
                        .perSource(new HttpSigningServerFactory.RateLimit(100_000, 100_000, 0)).auditBudget(100_000, 100_000)
                        .joinsPerCredential(new HttpSigningServerFactory.RateLimit(1e9, 1e9, 0))
                        .connections(100_000, 100_000).build())
                .certificateValidity(Duration.ofDays(7)).clock(clock).build()) {
            HostCertificate lhCert = lighthouse.certify("lh", lh.publicKey(), cidr.addressAt(1), List.of());
            Endpoint serving = lighthouse.serve(new Endpoint("127.0.0.1", port), lhCert);
            IpAllocator allocator = lighthouse.allocator();
            HttpJoinTransport transport = new HttpJoinTransport(provider);
            JoinCredentials creds = new NetworkSecretCredentials(secret.toCharArray());
            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<Future<JoinResponse>> futures = new ArrayList<>();
            List<HostKeyPair> pairs = new ArrayList<>();
            for (int i = 0; i < JOINS; i++) {
                HostKeyPair kp = provider.newHostKeyPair();
                pairs.add(kp);
                String name = "n-" + i;
                futures.add(pool.submit(() -> {
                    byte[] nonce = new byte[16];
                    new SecureRandom().nextBytes(nonce);
                    return transport.join(serving, new JoinRequest("neb", name, kp.publicKey(), List.of("workers"),
                            nonce, creds.proofFor(network, name, kp.publicKey(), nonce)), network);
                }));
            }
            CertificateVerifier pinned = provider.verifier(network.caBundlePem());
            Set<Ipv4Address> addresses = new HashSet<>();
            for (int i = 0; i < JOINS; i++) {
                JoinResponse r = futures.get(i).get(120, TimeUnit.SECONDS);
                HostCertificate c = pinned.verify(r.certificatePem().getBytes(StandardCharsets.US_ASCII), clock.instant());
                assertThat(c.publicKey()).isEqualTo(pairs.get(i).publicKey());
                assertThat(c.groups()).containsExactly("workers");
                assertThat(addresses.add(c.address())).isTrue();
            }
            pool.shutdown();
            assertThat(addresses).hasSize(JOINS).doesNotContain(Ipv4Address.parse("10.77.0.1"));
            List<Lease> leases = allocator.leases();
            assertThat(leases).as("one held lease per certificate, none lost").hasSize(JOINS);
            assertThat(leases.stream().map(Lease::address).filter(addresses::contains).count()).isEqualTo(JOINS);
        }
    }
}
