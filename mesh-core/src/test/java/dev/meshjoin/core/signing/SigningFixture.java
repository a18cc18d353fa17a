package dev.meshjoin.core.signing;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.api.ip.IpAllocator;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.api.join.SigningServerFactory;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One lighthouse's signing service on loopback, wired as MeshNode wires it (registrar, store
 * allocator, credential admission, HTTP server), plus a joiner's side.
 */
final class SigningFixture implements AutoCloseable {
    static final String NETWORK = "test";
    static final String SECRET = "correct-horse-battery-staple-42";
    static final String PASSPHRASE = "ca-passphrase-not-the-secret";

    final Clock clock;
    final InMemoryBootstrapStore store;
    final StoreKeys keys = StoreKeys.of(NETWORK);
    final CertificateAuthorityProvider provider;
    final CertificateAuthority ca;
    final Ipv4Cidr cidr = Ipv4Cidr.parse("10.42.0.0/16");
    final IpAllocator allocator;
    final SecretCodecFactory codec = salt -> SecretCodecs.create("default", PASSPHRASE.toCharArray(), salt);
    final Lighthouse lighthouse;
    final SigningServerFactory.SigningServer server;
    final HttpJoinTransport transport;
    final NetworkRecord record;
    final JoinNetwork network;

    SigningFixture(Clock clock, UnaryOperator<HttpSigningServerFactory.Builder> limits) {
        this.clock = clock;
        this.store = InMemoryBootstrapStore.linearizable(clock);
        this.provider = new TestDoubleCertificateAuthorityProvider(clock);
        this.ca = provider.create(CaSpec.forNetwork("test mesh CA", cidr, Duration.ofDays(365)));
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Endpoint signing = new Endpoint("127.0.0.1", freePort());
        record = new NetworkRecord(Versioned.SCHEMA, NETWORK, cidr.toString(), provider.type(), ca.caCertificate().pemText(),
                ca.caCertificate().fingerprint(), List.of(new NetworkRecord.LighthouseEntry("lh-1", "10.42.0.1",
                List.of("127.0.0.1:4242"), signing.toString())), "lh-1", clock.instant(), Base64.getEncoder().encodeToString(salt));
        store.putIfAbsent(keys.network(), Json.write(record));
        network = NetworkView.of(record, keys.network()).joinNetwork();
        CredentialAdmission admission = CredentialAdmission.builder(store, NETWORK)
                .networkSecret(SECRET.toCharArray(), List.of("workers"))
                .verifierCodec(codec).clock(clock).build();
        lighthouse = Lighthouse.builder(store, NETWORK).ca(ca).network(cidr)
                .lighthouses(() -> Set.of(Ipv4Address.parse("10.42.0.1")))
                .admission(admission)
                .signingServers(limits.apply(HttpSigningServerFactory.builder(store, NETWORK).clock(clock)).build())
                .clock(clock).build();
        this.allocator = lighthouse.allocator();
        HostKeyPair lhKeys = provider.newHostKeyPair();
        HostCertificate lhCert = lighthouse.certify("lh-1", lhKeys.publicKey(), cidr.addressAt(1), List.of());
        lighthouse.claim(cidr.addressAt(1), "lh-1", lhKeys.publicKey(), lhCert.notAfter());
        lighthouse.serve(signing, lhCert);
        this.server = lighthouse.server().orElseThrow();
        this.transport = new HttpJoinTransport(provider, Duration.ofSeconds(30), clock);
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static SigningFixture generous(Clock clock) {
        return new SigningFixture(clock, b -> b.perSource(new HttpSigningServerFactory.RateLimit(100_000, 100_000, 0))
                .auditBudget(100_000, 100_000).auditSummaryInterval(Duration.ZERO).threads(8)
                .joinsPerCredential(new HttpSigningServerFactory.RateLimit(100_000, 100_000, 0))
                .connections(100_000, 100_000));
    }

    Endpoint endpoint() {
        return server.endpoint();
    }

    /** Signs nothing: a verifier of the network's CA, as a joiner pins it. */
    CertificateVerifier pinned() {
        return provider.verifier(network.caBundlePem());
    }

    JoinCredentials secret() {
        return new NetworkSecretCredentials(SECRET.toCharArray());
    }

    JoinRequest request(String node, HostKeyPair keys, List<String> groups, JoinCredentials creds) {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        return new JoinRequest(NETWORK, node, keys.publicKey(), groups, nonce,
                creds.proofFor(network, node, keys.publicKey(), nonce));
    }

    JoinResponse join(String node, HostKeyPair keys, List<String> groups, JoinCredentials creds) {
        return transport.join(endpoint(), request(node, keys, groups, creds), network);
    }

    JoinResponse join(String node, List<String> groups, JoinCredentials creds) {
        return join(node, provider.newHostKeyPair(), groups, creds);
    }

    /** Keys of address leases and node indexes, to show nothing was consumed. */
    List<String> leaseKeys() {
        List<String> out = new ArrayList<>();
        for (KeyVersion kv : store.list(keys.root() + "ip")) {
            out.add(kv.key());
        }
        return out;
    }

    List<AuditEvent> auditEvents() {
        List<AuditEvent> out = new ArrayList<>();
        for (KeyVersion kv : store.list(keys.root() + "audit/")) {
            store.get(kv.key()).ifPresent(e -> out.add(Json.read(e.value(), AuditEvent.class, e.key())));
        }
        out.sort((a, b) -> a.at().compareTo(b.at()));
        return out;
    }

    @Override
    public void close() {
        lighthouse.close();
    }
}
