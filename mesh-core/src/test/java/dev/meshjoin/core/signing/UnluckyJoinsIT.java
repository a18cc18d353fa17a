package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.core.join.Registrar;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A join that meets bad luck (a store outage, a skewed clock, a failing step) and what it leaves behind. */
class UnluckyJoinsIT {
    private static final String SECRET = "network-secret-of-the-unlucky-test";
    private final MutableClock clock = MutableClock.startingNow();
    private SigningFixture fx;
    private MeshHarness mesh;

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void aStoreOutageOfOneAndAHalfSecondsMidJoinIsRiddenOutByTheRetry() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
        TestDoubleCertificateAuthorityProvider provider = new TestDoubleCertificateAuthorityProvider();
        SecretCodecFactory codec = salt -> SecretCodecs.create("default", "the-ca-passphrase-16+".toCharArray(), salt);
        mesh = MeshHarness.builder().store(store).caProvider(provider).caKeyCodec(codec)
                .joinTimeout(Duration.ofSeconds(20)).build();
        CredentialAdmission credentials = CredentialAdmission.builder(store, "test")
                .networkSecret(SECRET.toCharArray(), List.of("workers")).verifierCodec(codec).build();
        AtomicInteger admits = new AtomicInteger();
        AtomicLong outageEnds = new AtomicLong();
        // The outage starts as the lighthouse begins to admit the join, and lasts 1.5 s.
        Admission unlucky = (request, source) -> {
            if (admits.getAndIncrement() == 0) {
                outageEnds.set(System.nanoTime() + 1_500_000_000L);
                store.failWhen(op -> System.nanoTime() < outageEnds.get());
            }
            return credentials.admit(request, source);
        };
        MeshNode lh = mesh.node("lh-1", b -> common(b, provider, store, codec, unlucky)
                .publicEndpoint(new Endpoint("127.0.0.1", 4242)).signingPort(SigningFixture.freePort())
                .retryPolicy(RetryPolicy.none()));
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        MeshNode w = mesh.node("w-1", b -> common(b, provider, store, codec, unlucky));
        long t0 = System.nanoTime();
        NodeStatus s = w.join();
        assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY);
        assertThat(admits.get()).as("the first attempt met the outage, a later one got in").isGreaterThanOrEqualTo(2);
        assertThat(System.nanoTime() - t0).as("the join waited out the outage").isGreaterThan(1_000_000_000L);
        store.failWhen(op -> false);
        assertThat(store.list(StoreKeys.of("test").members())).hasSize(2);
    }

    private static MeshNode.Builder common(MeshNode.Builder b, TestDoubleCertificateAuthorityProvider provider,
                                           InMemoryBootstrapStore store, SecretCodecFactory codec, Admission admission) {
        return b.transport(new HttpJoinTransport(provider))
                .signingServers(HttpSigningServerFactory.builder(store, "test").build())
                .admission(admission)
                .credentials(new NetworkSecretCredentials(SECRET.toCharArray()))
                .caKeyCodec(codec)
                .groups(List.of("workers"));
    }

    @Test
    void aJoinerWhoseClockIs90SecondsBehindStillAcceptsItsCertificate() {
        SigningFixture f = fixture();
        HttpJoinTransport late = new HttpJoinTransport(f.provider, Duration.ofSeconds(30),
                Clock.offset(clock, Duration.ofSeconds(-90)));
        HostKeyPair keys = f.provider.newHostKeyPair();
        JoinResponse ok = late.join(f.endpoint(), f.request("late", keys, List.of("workers"), f.secret()), f.network);
        HostCertificate cert = f.pinned().verify(ok.certificatePem().getBytes(StandardCharsets.US_ASCII),
                clock.instant().minusSeconds(90));
        assertThat(cert.name()).isEqualTo("late");
        assertThat(cert.notBefore()).isBeforeOrEqualTo(clock.instant().minus(CertificateAuthority.BACKDATE).plusSeconds(1));
    }

    @Test
    void aRealSkewIsRefusedAsClockSkewAndHoldsNothing() {
        SigningFixture f = fixture();
        List<String> leases = f.leaseKeys();
        HttpJoinTransport ahead = new HttpJoinTransport(f.provider, Duration.ofSeconds(30),
                Clock.offset(clock, Duration.ofSeconds(300)));
        assertThatThrownBy(() -> ahead.join(f.endpoint(), f.request("ahead", f.provider.newHostKeyPair(),
                List.of(), f.secret()), f.network))
                .isInstanceOfSatisfying(JoinRefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RefusalReason.CLOCK_SKEW);
                    assertThat(e.getMessage()).contains("clock skew: this node's clock is 300 s ahead of the"
                            + " lighthouse's, more than the 120 s allowed; synchronise this node's clock (NTP)");
                });
        // Behind by more than certificates are backdated: the joiner itself says why it cannot go on.
        HttpJoinTransport behind = new HttpJoinTransport(f.provider, Duration.ofSeconds(30),
                Clock.offset(clock, Duration.ofSeconds(-300)));
        assertThatThrownBy(() -> behind.join(f.endpoint(), f.request("behind", f.provider.newHostKeyPair(),
                List.of(), f.secret()), f.network))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageStartingWith("clock skew: the service certificate of " + f.endpoint())
                .hasMessageContaining("this node's clock is behind, synchronise it (NTP)");
        assertThat(f.leaseKeys()).isEqualTo(leases);
        assertThat(f.store.list(f.keys.members())).isEmpty();
    }

    @Test
    void anAttemptThatFailsAfterItsAddressWasTakenReleasesItAndWritesNoMember() {
        SigningFixture f = fixture();
        CertificateAuthority failing = failingFor(f.ca, "doomed");
        Registrar registrar = new Registrar(f.store, f.keys, failing, f.allocator,
                (request, source) -> List.of("workers"), Set.of("lighthouse"), Duration.ofDays(1), clock);
        assertThatThrownBy(() -> registrar.handle(f.request("doomed", f.provider.newHostKeyPair(), List.of(),
                f.secret()), "127.0.0.1")).isInstanceOf(InvalidCertificateException.class);
        assertThat(f.allocator.leaseOf("doomed")).as("no address held").isEmpty();
        assertThat(f.leaseKeys()).as("the node index is gone").doesNotContain(f.keys.root() + "ip-node/doomed");
        assertThat(f.allocator.leases()).filteredOn(l -> l.node().equals("doomed"))
                .allSatisfy(l -> assertThat(l.releasedAt()).as("released").isPresent());
        assertThat(f.store.list(f.keys.members())).as("no member record").isEmpty();

        // A re-join whose signing fails keeps the lease its valid certificate stands on.
        HostKeyPair keys = f.provider.newHostKeyPair();
        JoinResponse first = new Registrar(f.store, f.keys, f.ca, f.allocator, (request, source) -> List.of(),
                Set.of("lighthouse"), Duration.ofDays(1), clock).handle(f.request("doomed", keys, List.of(), f.secret()),
                "127.0.0.1");
        clock.advance(Duration.ofMinutes(1));
        assertThatThrownBy(() -> registrar.handle(f.request("doomed", keys, List.of(), f.secret()), "127.0.0.1"))
                .isInstanceOf(InvalidCertificateException.class);
        assertThat(f.allocator.leaseOf("doomed").orElseThrow().address() + "/16").isEqualTo(first.address());
    }

    private SigningFixture fixture() {
        fx = SigningFixture.generous(clock);
        return fx;
    }

    /** The fixture's CA, except that signing for {@code node} fails as a CA refusing would. */
    private static CertificateAuthority failingFor(CertificateAuthority ca, String node) {
        return (CertificateAuthority) Proxy.newProxyInstance(CertificateAuthority.class.getClassLoader(),
                new Class<?>[] {CertificateAuthority.class}, (proxy, method, args) -> {
                    if (method.getName().equals("issue") && ((CertificateRequest) args[0]).name().equals(node)) {
                        throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                                "refusing to sign '" + node + "' in this test");
                    }
                    try {
                        return method.invoke(ca, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
