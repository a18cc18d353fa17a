package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.testkit.time.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Floods against one signing service on loopback, from many source addresses (127.0.0.0/8 is all
 * loopback on Linux, so 127.0.N.1 are distinct /24 prefixes). Each test shows the honest joiner
 * still gets in, and what the flood leaves behind.
 */
class SigningFloodsIT {
    private final MutableClock clock = MutableClock.startingNow();
    private final List<Socket> sockets = new ArrayList<>();
    private SigningFixture fx;

    @AfterEach
    void tearDown() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    private SigningFixture fixture(UnaryOperator<HttpSigningServerFactory.Builder> limits) {
        fx = new SigningFixture(clock, limits);
        return fx;
    }

    private HttpSigningServer server() {
        return (HttpSigningServer) fx.server;
    }

    private Socket connect(String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress(fx.endpoint().host(), fx.endpoint().port()), 2000);
        s.setSoTimeout(5000);
        sockets.add(s);
        return s;
    }

    @Test
    void fiftySlowConnectionsDoNotDelayAnHonestJoinAndAreCutAtTheReadDeadline() throws Exception {
        SigningFixture f = fixture(b -> b.readTimeout(Duration.ofSeconds(3)).auditSummaryInterval(Duration.ZERO));
        // The first join derives the secret's verifier on both sides (PBKDF2, then Argon2id to seal
        // it): seconds on a busy machine, and not what this test measures.
        long w0 = System.nanoTime();
        f.join("warm-up", List.of("workers"), f.secret());
        System.out.println("first join (verifier derivation): " + (System.nanoTime() - w0) / 1_000_000 + " ms");
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Socket s = connect("127.0." + (10 + i / 10) + ".1");
            s.getOutputStream().write("POST /v1/join HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
        }
        // Each keeps sending a header byte now and then, as a slow-loris client does.
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        drip.scheduleAtFixedRate(() -> slow.forEach(s -> {
            try {
                s.getOutputStream().write('X');
            } catch (IOException e) {
                // cut by the server: expected once the deadline passes
            }
        }), 100, 100, TimeUnit.MILLISECONDS);
        try {
            long t0 = System.nanoTime();
            JoinResponse ok = f.join("honest", List.of("workers"), f.secret());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ok.address()).startsWith("10.42.");
            assertThat(millis).as("the honest join took %d ms beside 50 slow connections", millis).isLessThan(2000);
            System.out.println("honest join beside 50 slow connections: " + millis + " ms");

            // At the read deadline every slow connection gets 408 and is closed.
            for (Socket s : slow) {
                String answer = readAll(s.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 408").contains("read-timeout");
            }
        } finally {
            drip.shutdownNow();
        }
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (server().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server().openConnections()).as("nothing is left held").isZero();
        assertThat(f.store.list(f.keys.members())).hasSize(2);
        assertThat(f.auditEvents()).filteredOn(e -> e.reason().equals("read-timeout")).hasSize(50);
    }

    @Test
    void connectionsBeyondTheCapOfOnePrefixAreRefusedAtOnceWhileOthersJoin() throws Exception {
        SigningFixture f = fixture(b -> b.connections(4, 1024).auditSummaryInterval(Duration.ZERO));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(connect("127.0.20." + (1 + i)));
        }
        Socket fifth = connect("127.0.20.77");
        assertThat(readAll(fifth.getInputStream())).startsWith("HTTP/1.1 429").contains("too-many-connections")
                .contains("127.0.20.0/24");
        assertThat(f.join("other-prefix", List.of(), f.secret()).address()).startsWith("10.42.");
        held.forEach(s -> {
            try {
                s.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (server().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server().openConnections()).isZero();
        // The prefix may connect again once its connections are closed.
        RawHttp.Answer again = RawHttp.exchange(f.endpoint(), "127.0.20.1",
                "GET /v1/hello HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(again.status()).isEqualTo(200);
    }

    @Test
    void wrongProofsFromTenSourcesLeaveHonestJoinsUnaffected() {
        SigningFixture f = fixture(b -> b.auditSummaryInterval(Duration.ofMinutes(1)));
        int leases = f.leaseKeys().size();
        int refused = 0;
        for (int round = 0; round < 30; round++) {
            for (int src = 0; src < 10; src++) {
                String inner = "{\"node\":\"guess-" + src + "\",\"publicKey\":\""
                        + Base64.getEncoder().encodeToString(SigningCrypto.random(32)) + "\",\"groups\":[],"
                        + "\"credential\":\"" + Base64.getEncoder().encodeToString(
                        Credential.secretProof(SigningCrypto.random(32))) + "\"}";
                RawHttp.Answer a = RawHttp.post(f.endpoint(), "127.0." + (40 + src) + ".1", "/v1/join",
                        Envelopes.sealed(f, inner, clock.millis() / 1000));
                assertThat(a.status()).isIn(403, 429);
                refused++;
            }
        }
        assertThat(refused).isEqualTo(300);
        for (int i = 0; i < 10; i++) {
            assertThat(f.join("honest-" + i, List.of("workers"), f.secret()).address()).startsWith("10.42.");
        }
        assertThat(f.leaseKeys().size()).as("only the honest joins hold addresses").isGreaterThan(leases);
        assertThat(f.store.list(f.keys.members())).hasSize(10);
    }

    @Test
    void guessesNamingATokenDoNotLockOutItsHolder() {
        SigningFixture f = fixture(b -> b.auditSummaryInterval(Duration.ofMinutes(1)));
        EnrollmentToken token = new EnrollmentTokens(f.store, f.keys, clock).create(List.of("workers"),
                Duration.ofHours(1), 3);
        for (int round = 0; round < 20; round++) {
            for (int src = 0; src < 10; src++) {
                String guess = "mjt1." + token.id() + "." + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(SigningCrypto.random(32));
                String inner = "{\"node\":\"thief\",\"publicKey\":\""
                        + Base64.getEncoder().encodeToString(SigningCrypto.random(32)) + "\",\"groups\":[],"
                        + "\"credential\":\"" + Base64.getEncoder().encodeToString(Credential.token(guess)) + "\"}";
                RawHttp.Answer a = RawHttp.post(f.endpoint(), "127.0." + (60 + src) + ".1", "/v1/join",
                        Envelopes.sealed(f, inner, clock.millis() / 1000));
                assertThat(a.status()).isIn(403, 429);
            }
        }
        JoinResponse ok = f.join("holder", List.of("workers"), new EnrollmentTokenCredentials(token));
        assertThat(ok.groups()).containsExactly("workers");
        assertThat(new EnrollmentTokens(f.store, f.keys, clock).find(token.id()).orElseThrow().uses())
                .as("the guesses used nothing").isEqualTo(1);
    }

    @Test
    void rateLimitsCountBySourcePrefixNotAddress() {
        SigningFixture f = fixture(b -> b.perSource(new HttpSigningServerFactory.RateLimit(3, 0.001, 0)));
        byte[] hello = "GET /v1/hello HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 1; i <= 3; i++) {
            assertThat(RawHttp.exchange(f.endpoint(), "127.0.30." + i, hello).status()).isEqualTo(200);
        }
        RawHttp.Answer limited = RawHttp.exchange(f.endpoint(), "127.0.30.200", hello);
        assertThat(limited.status()).as("another address of the same /24").isEqualTo(429);
        assertThat(limited.body()).contains("rate-limited").contains("retry after");
        assertThat(RawHttp.exchange(f.endpoint(), "127.0.31.1", hello).status()).as("another /24").isEqualTo(200);
    }

    @Test
    void aCredentialJoiningFasterThanItsRateIsHeldAndRaisesAnAlarm() {
        SigningFixture f = fixture(b -> b.joinsPerCredential(new HttpSigningServerFactory.RateLimit(3, 0.0001, 0))
                .auditSummaryInterval(Duration.ZERO));
        for (int i = 0; i < 3; i++) {
            f.join("fleet-" + i, List.of("workers"), f.secret());
        }
        int leases = f.leaseKeys().size();
        assertThatThrownBy(() -> f.join("fleet-3", List.of("workers"), f.secret()))
                .isInstanceOf(MeshException.class).hasMessageContaining("rate-limiting");
        assertThat(f.leaseKeys()).as("no address taken").hasSize(leases);
        assertThat(f.store.list(f.keys.members())).hasSize(3);
        assertThat(f.auditEvents()).filteredOn(e -> e.outcome().equals("alarm")).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("join-rate-exceeded");
            assertThat(e.credential()).isEqualTo("network-secret");
            assertThat(e.detail()).contains("rotate it");
        });
    }

    @Test
    void unauthenticatedFailuresBecomeOneSummaryPerIntervalWithinTheWriteBudget() throws Exception {
        SigningFixture f = fixture(b -> b.perSource(new HttpSigningServerFactory.RateLimit(1000, 1000, 0))
                .auditBudget(5, 1).auditSummaryInterval(Duration.ofMinutes(10)));
        for (int i = 0; i < 200; i++) {
            RawHttp.post(f.endpoint(), "127.0." + (70 + i % 3) + ".1", "/v1/join", "{}".getBytes(StandardCharsets.UTF_8));
        }
        server().audit().flush(false);
        assertThat(f.auditEvents()).as("nothing stored before the interval ends").isEmpty();
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        server().audit().flush(false);
        assertThat(f.auditEvents()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo("refused-summary");
            assertThat(e.detail()).contains("bad-request 200").contains("from 3 source prefixes");
        });
        // Admissions are stored one by one while the budget lasts (5 at once), then counted.
        for (int i = 0; i < 8; i++) {
            f.join("n-" + i, List.of(), f.secret());
        }
        assertThat(f.auditEvents()).filteredOn(e -> e.outcome().equals("admitted")).hasSize(4);
        clock.advance(Duration.ofMinutes(1));
        f.join("n-8", List.of(), f.secret());
        assertThat(f.auditEvents()).filteredOn(e -> e.outcome().equals("admitted")).last()
                .satisfies(e -> assertThat(e.suppressed()).isEqualTo(4));
    }

    private static String readAll(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        return new String(all, StandardCharsets.ISO_8859_1);
    }
}
