package dev.meshjoin.bench;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.core.signing.CredentialAdmission;
import dev.meshjoin.core.signing.HttpJoinTransport;
import dev.meshjoin.core.signing.HttpSigningServerFactory;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Joins per second against one signing service over HTTP on loopback, and the latency of one join
 * (p50, p99): the whole protocol — ephemeral X25519, sealing, the service's replay and rate checks,
 * network-secret proof, store-backed address allocation, signing, the joiner's verification. The
 * service certificate is fetched once per client (as joiners cache it). Certificates are real
 * Nebula v1 certificates from the pure-Java CA. The store is the in-memory one, so store latency
 * is not in the figures (add the store's own round trips for a real store).
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl mesh-bench -am
 * java -cp "mesh-bench/target/mesh-bench-0.1.0-SNAPSHOT.jar:mesh-bench/target/lib/*" \
 *     dev.meshjoin.bench.JoinBench [joins per case, default 2000] [client threads, default "1,4,16"]
 * </pre>
 */
public final class JoinBench {
    private JoinBench() {
    }

    public static void main(String[] args) throws Exception {
        int joins = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        String threadList = args.length > 1 ? args[1] : "1,4,16";
        System.out.printf("%-8s %-8s %-12s %-10s %-10s%n", "threads", "joins", "joins/s", "p50 ms", "p99 ms");
        for (String t : threadList.split(",")) {
            run(Integer.parseInt(t.strip()), joins / 4, true);
            run(Integer.parseInt(t.strip()), joins, false);
        }
    }

    private static void run(int threads, int joins, boolean warmup) throws Exception {
        Clock clock = Clock.systemUTC();
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
        StoreKeys keys = StoreKeys.of("bench");
        CertificateAuthorityProvider provider = new NebulaCertificateAuthorityProvider();
        Ipv4Cidr cidr = Ipv4Cidr.parse("10.0.0.0/8");
        CertificateAuthority ca = provider.create(CaSpec.forNetwork("bench CA", cidr, Duration.ofDays(365)));
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NetworkRecord rec = new NetworkRecord(Versioned.SCHEMA, "bench", cidr.toString(), provider.type(),
                ca.caCertificate().pemText(), ca.caCertificate().fingerprint(),
                List.of(new NetworkRecord.LighthouseEntry("lh", "10.0.0.1", List.of("127.0.0.1:4242"), "127.0.0.1:" + port)),
                "lh", clock.instant(), Base64.getEncoder().encodeToString(salt));
        store.putIfAbsent(keys.network(), Json.write(rec));
        JoinNetwork network = NetworkView.of(rec, keys.network()).joinNetwork();
        String secret = "bench-network-secret-0123456789";
        HostKeyPair lhKeys = provider.newHostKeyPair();
        try (Lighthouse lighthouse = Lighthouse.builder(store, "bench").ca(ca).network(cidr)
                .lighthouses(() -> Set.of(Ipv4Address.parse("10.0.0.1")))
                .admission(CredentialAdmission.builder(store, "bench").networkSecret(secret.toCharArray(), List.of("workers")).build())
                .signingServers(HttpSigningServerFactory.builder(store, "bench")
                        .perSource(new HttpSigningServerFactory.RateLimit(1e9, 1e9, 0)).auditBudget(1_000_000, 1_000_000)
                        .joinsPerCredential(new HttpSigningServerFactory.RateLimit(1e9, 1e9, 0))
                        .connections(100_000, 100_000).build())
                .clock(clock).build()) {
            HostCertificate lhCert = lighthouse.certify("lh", lhKeys.publicKey(), cidr.addressAt(1), List.of());
            lighthouse.claim(cidr.addressAt(1), "lh", lhKeys.publicKey(), lhCert.notAfter());
            Endpoint serving = lighthouse.serve(new Endpoint("127.0.0.1", port), lhCert);
            HttpJoinTransport transport = new HttpJoinTransport(provider);
            JoinCredentials creds = new NetworkSecretCredentials(secret.toCharArray());
            creds.proofFor(network, "warm", new byte[32], new byte[16]); // PBKDF2 once, outside the timing
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(threads);
            SecureRandom random = new SecureRandom();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                new Thread(() -> {
                    try {
                        for (int i; (i = next.getAndIncrement()) < joins; ) {
                            HostKeyPair kp = provider.newHostKeyPair();
                            byte[] nonce = new byte[16];
                            random.nextBytes(nonce);
                            String name = "n-" + i;
                            long t0 = System.nanoTime();
                            transport.join(serving, new JoinRequest("bench", name, kp.publicKey(), List.of("workers"),
                                    nonce, creds.proofFor(network, name, kp.publicKey(), nonce)), network);
                            latencies.add(System.nanoTime() - t0);
                        }
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            done.await();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!warmup) {
                List<Long> sorted = new ArrayList<>(latencies);
                Collections.sort(sorted);
                System.out.printf("%-8d %-8d %-12.0f %-10.2f %-10.2f%n", threads, joins, joins / seconds,
                        sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
            }
        }
    }
}
