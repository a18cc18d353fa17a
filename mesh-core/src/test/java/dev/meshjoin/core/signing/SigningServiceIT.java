package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The join protocol over real HTTP on loopback against one signing service. */
class SigningServiceIT {
    private final MutableClock clock = MutableClock.startingNow();
    private SigningFixture fx;

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    private SigningFixture fixture() {
        fx = SigningFixture.generous(clock);
        return fx;
    }

    @Test
    void aJoinerGetsAVerifyingCertificateAndItsPrivateKeyAndSecretNeverCrossTheWire() throws Exception {
        SigningFixture f = fixture();
        HostKeyPair keys = f.provider.newHostKeyPair();
        try (RawHttp.RecordingProxy proxy = new RawHttp.RecordingProxy(f.endpoint())) {
            JoinRequest request = f.request("alpha-node", keys, List.of("workers"), f.secret());
            JoinResponse r = f.transport.join(proxy.endpoint(), request, f.network);

            HostCertificate cert = f.pinned().verify(r.certificatePem().getBytes(StandardCharsets.US_ASCII), clock.instant());
            assertThat(cert.publicKey()).isEqualTo(keys.publicKey());
            assertThat(cert.name()).isEqualTo("alpha-node");
            assertThat(cert.groups()).containsExactly("workers");
            assertThat(f.cidr.contains(cert.address())).isTrue();
            assertThat(cert.address().toString()).isNotEqualTo("10.42.0.1");
            assertThat(r.observedSource()).isEqualTo("127.0.0.1");

            String sent = new String(proxy.clientBytes(), StandardCharsets.ISO_8859_1);
            assertThat(sent).contains("POST /v1/join");
            byte[] priv = keys.privateKey();
            for (String form : List.of(new String(priv, StandardCharsets.ISO_8859_1), Base64.getEncoder().encodeToString(priv),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(priv), HexFormat.of().formatHex(priv))) {
                assertThat(sent).doesNotContain(form);
            }
            assertThat(sent).as("the secret is never sent").doesNotContain(SigningFixture.SECRET);
            assertThat(sent).as("the request is sealed: its node name is not readable").doesNotContain("alpha-node");
            assertThat(sent).doesNotContain(Base64.getEncoder().encodeToString(keys.publicKey()));
        }
        assertThat(f.auditEvents()).anySatisfy(e -> {
            assertThat(e.outcome()).isEqualTo("admitted");
            assertThat(e.node()).isEqualTo("alpha-node");
            assertThat(e.credential()).isEqualTo("network-secret");
            assertThat(e.source()).isEqualTo("127.0.0.1");
            assertThat(e.certificateFingerprint()).hasSize(64);
            assertThat(e.address()).startsWith("10.42.");
        });
    }

    @Test
    void rejoiningWithTheSameNameAndKeyGetsTheSameAddress() {
        SigningFixture f = fixture();
        HostKeyPair keys = f.provider.newHostKeyPair();
        JoinResponse first = f.join("again", keys, List.of(), f.secret());
        JoinResponse second = f.join("again", keys, List.of(), f.secret());
        assertThat(second.address()).isEqualTo(first.address());
        assertThatThrownBy(() -> f.join("again", f.provider.newHostKeyPair(), List.of(), f.secret()))
                .isInstanceOf(JoinRefusedException.class).hasMessageContaining("another key");
    }

    @Test
    void tokensAdmitUntilUsedUpAndGrantOnlyTheirGroups() {
        SigningFixture f = fixture();
        EnrollmentTokens tokens = new EnrollmentTokens(f.store, f.keys, clock);
        EnrollmentToken token = tokens.create(List.of("gpu"), Duration.ofHours(1), 2);
        String stored = new String(f.store.get(EnrollmentTokens.key(f.keys, token.id())).orElseThrow().value(),
                StandardCharsets.UTF_8);
        assertThat(stored).doesNotContain(token.text()).doesNotContain(token.text().substring(22));

        JoinCredentials creds = new EnrollmentTokenCredentials(token);
        assertThat(f.join("t-1", List.of("gpu"), creds).groups()).containsExactly("gpu");
        refused(f, () -> f.join("t-x", List.of("workers"), creds), "group-not-allowed");
        assertThat(tokens.find(token.id()).orElseThrow().uses()).as("a refused group consumes no use").isEqualTo(1);
        f.join("t-2", List.of(), creds);
        refused(f, () -> f.join("t-3", List.of(), creds), "token-used-up");
        assertThat(tokens.find(token.id()).orElseThrow().uses()).isEqualTo(2);
    }

    @Test
    void everyBadRequestIsRefusedWithAReasonConsumesNoAddressAndIsAudited() throws Exception {
        SigningFixture f = fixture();
        EnrollmentTokens tokens = new EnrollmentTokens(f.store, f.keys, clock);
        List<String> before = f.leaseKeys();

        refused(f, () -> f.join("w1", List.of(), new NetworkSecretCredentials("not-the-network-secret".toCharArray())),
                "bad-credential");
        EnrollmentToken unknown = EnrollmentToken.of("mjt1.0123456789abcdef." + "A".repeat(43));
        refused(f, () -> f.join("w2", List.of(), new EnrollmentTokenCredentials(unknown)), "bad-credential");
        EnrollmentToken real = tokens.create(List.of("workers"), Duration.ofMinutes(10), 5);
        String[] parts = real.text().split("\\.");
        EnrollmentToken forged = EnrollmentToken.of(parts[0] + "." + parts[1] + "." + "B".repeat(43) + "." + parts[3]);
        refused(f, () -> f.join("w3", List.of(), new EnrollmentTokenCredentials(forged)), "bad-credential");
        EnrollmentToken shortLived = tokens.create(List.of("workers"), Duration.ofMinutes(1), 5);
        clock.advance(Duration.ofMinutes(2));
        refused(f, () -> f.join("w4", List.of(), new EnrollmentTokenCredentials(shortLived)), "token-expired");
        refused(f, () -> f.join("w5", List.of("lighthouse"), f.secret()), "reserved-group");
        refused(f, () -> f.join("w6", List.of("admins"), f.secret()), "group-not-allowed");
        for (String name : List.of("a/b", "..", "a\nb", "a:b", "x".repeat(300), "Upper", "-dash")) {
            refused(f, () -> f.join(name, List.of(), f.secret()), "invalid-name");
        }
        assertThat(f.leaseKeys()).as("no address consumed").isEqualTo(before);
        assertThat(f.store.list(f.keys.members())).isEmpty();
    }

    @Test
    void aReplayedRequestIsRefused() throws Exception {
        SigningFixture f = fixture();
        byte[] post;
        try (RawHttp.RecordingProxy proxy = new RawHttp.RecordingProxy(f.endpoint())) {
            f.transport.join(proxy.endpoint(), f.request("replay-me", f.provider.newHostKeyPair(), List.of(), f.secret()),
                    f.network);
            post = extractPost(proxy.clientBytes());
        }
        int leases = f.leaseKeys().size();
        RawHttp.Answer again = RawHttp.exchange(f.endpoint(), "127.0.0.1", post);
        assertThat(again.status()).isEqualTo(403);
        assertThat(again.body()).contains("\"replayed\"");
        assertThat(f.leaseKeys()).hasSize(leases);
        assertThat(f.auditEvents()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("replayed"));
        // Once the window has passed, the timestamp alone refuses it.
        clock.advance(Duration.ofMinutes(3));
        assertThat(RawHttp.exchange(f.endpoint(), "127.0.0.1", post).body()).contains("\"clock-skew\"")
                .contains("180 s behind");
    }

    @Test
    void aRequestThatAsksForAnAddressIsRefusedByTheStrictParser() {
        SigningFixture f = fixture();
        int leases = f.leaseKeys().size();
        String inner = "{\"node\":\"sneaky\",\"publicKey\":\"" + Base64.getEncoder().encodeToString(new byte[32])
                + "\",\"groups\":[],\"credential\":\"AQ==\",\"address\":\"10.42.0.1\"}";
        RawHttp.Answer a = RawHttp.post(f.endpoint(), "127.0.0.1", "/v1/join", Envelopes.sealed(f, inner, clock.millis() / 1000));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).contains("bad-request");
        assertThat(f.leaseKeys()).hasSize(leases);
        assertThat(f.auditEvents()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("bad-request"));
    }

    @Test
    void anOversizedBodyIsRefusedBeforeParsing() {
        SigningFixture f = fixture();
        byte[] big = ("{\"v\":1,\"pad\":\"" + "x".repeat(20_000) + "\"}").getBytes(StandardCharsets.US_ASCII);
        RawHttp.Answer a = RawHttp.post(f.endpoint(), "127.0.0.1", "/v1/join", big);
        assertThat(a.status()).isEqualTo(413);
        assertThat(f.auditEvents()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("too-large"));
        // Without a Content-Length (chunked), the limit holds while reading.
        byte[] head = ("POST /v1/join HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = (Integer.toHexString(big.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] req = RawHttp.concat(RawHttp.concat(RawHttp.concat(head, chunk), big),
                "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(RawHttp.exchange(f.endpoint(), "127.0.0.1", req).status()).isEqualTo(413);
    }

    @Test
    void aFloodFromOneSourceIsRateLimitedWhileAnotherSourceStillJoins() {
        fx = new SigningFixture(clock, b -> b.perSource(new HttpSigningServerFactory.RateLimit(10, 1, 4)));
        SigningFixture f = fx;
        AtomicInteger limited = new AtomicInteger();
        for (int i = 0; i < 60; i++) {
            String inner = "{\"node\":\"flood-" + i + "\",\"publicKey\":\"" + Base64.getEncoder().encodeToString(new byte[32])
                    + "\",\"groups\":[],\"credential\":\"AQ==\"}";
            RawHttp.Answer a = RawHttp.post(f.endpoint(), "127.0.9.2", "/v1/join",
                    Envelopes.sealed(f, inner, clock.millis() / 1000));
            assertThat(a.status()).isIn(403, 429);
            if (a.status() == 429) {
                limited.incrementAndGet();
            }
        }
        assertThat(limited.get()).as("the flooding source is limited").isGreaterThan(50);
        // The flood's failures are not charged to the network secret as a whole (each carried a
        // malformed proof and no source could send enough of them), so the other source gets in.
        JoinResponse ok = f.join("honest", List.of("workers"), f.secret());
        assertThat(f.pinned().verify(ok.certificatePem().getBytes(StandardCharsets.US_ASCII), clock.instant()).name())
                .isEqualTo("honest");
        assertThat(RawHttp.post(f.endpoint(), "127.0.9.2", "/v1/join", new byte[] {'{', '}'}).status())
                .as("the flooding source is still limited").isEqualTo(429);
    }

    @Test
    void aNameHeldByAnotherKeyIsRefusedWithoutShowingTheHoldersAddress() {
        SigningFixture f = fixture();
        JoinResponse first = f.join("taken", List.of(), f.secret());
        String address = first.address().split("/")[0];
        assertThatThrownBy(() -> f.join("taken", List.of(), f.secret()))
                .isInstanceOfSatisfying(JoinRefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RefusalReason.NO_ADDRESS);
                    assertThat(e.getMessage()).contains("held by another key").doesNotContain(address);
                });
        assertThat(f.auditEvents()).filteredOn(e -> "refused".equals(e.outcome()))
                .allSatisfy(e -> assertThat(e.detail()).doesNotContain(address));
    }

    private static void refused(SigningFixture f, Runnable join, String reason) {
        int audited = f.auditEvents().size();
        assertThatThrownBy(join::run).isInstanceOfSatisfying(JoinRefusedException.class,
                e -> assertThat(e.reason().code()).as(e.getMessage()).isEqualTo(reason));
        assertThat(f.auditEvents()).hasSize(audited + 1);
        assertThat(f.auditEvents()).anySatisfy(e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.outcome()).isEqualTo("refused");
            assertThat(e.certificateFingerprint()).isNull();
            assertThat(e.source()).isEqualTo("127.0.0.1");
        });
    }

    private static byte[] extractPost(byte[] all) {
        String t = new String(all, StandardCharsets.ISO_8859_1);
        int at = t.indexOf("POST /v1/join");
        int end = t.indexOf("\r\n\r\n", at);
        int length = 0;
        for (String line : t.substring(at, end).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return java.util.Arrays.copyOfRange(all, at, end + 4 + length);
    }
}
