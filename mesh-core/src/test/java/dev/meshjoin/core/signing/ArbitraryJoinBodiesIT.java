package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Whatever body arrives, the signing service never issues a certificate and never fails with a 5xx. */
class ArbitraryJoinBodiesIT {
    private static SigningFixture fx;
    private static int leasesBefore;

    @BeforeContainer
    static void start() {
        fx = SigningFixture.generous(Clock.systemUTC());
        leasesBefore = fx.leaseKeys().size();
    }

    @AfterContainer
    static void stop() {
        fx.close();
    }

    @Property(tries = 300)
    void arbitraryBytesAreRefused(@ForAll byte[] body) {
        check(body);
    }

    @Property(tries = 300)
    void arbitraryJsonLikeEnvelopesAreRefused(@ForAll("envelopes") String body) {
        check(body.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 300)
    void wellSealedButArbitraryInnerMessagesAreRefused(@ForAll("inners") String inner) {
        check(Envelopes.sealed(fx, inner, System.currentTimeMillis() / 1000));
    }

    private static void check(byte[] body) {
        RawHttp.Answer a = RawHttp.post(fx.endpoint(), "127.0.0.1", "/v1/join", body);
        assertThat(a.status()).as(a.body()).isBetween(400, 499);
        assertThat(a.body()).doesNotContain("CERTIFICATE");
        assertThat(fx.leaseKeys()).hasSize(leasesBefore);
    }

    @Provide
    Arbitrary<String> envelopes() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(60);
        Arbitrary<String> b64 = Arbitraries.bytes().array(byte[].class).ofMaxSize(48)
                .map(b -> java.util.Base64.getEncoder().encodeToString(b));
        Arbitrary<String> value = Arbitraries.oneOf(text.map(ArbitraryJoinBodiesIT::quote), b64.map(ArbitraryJoinBodiesIT::quote),
                Arbitraries.longs().map(String::valueOf), Arbitraries.of("null", "true", "[]", "{}", "1e400", "-0"));
        Arbitrary<String> field = Arbitraries.of("v", "network", "serviceFingerprint", "ephemeralKey", "nonce", "timestamp",
                "sealed", "node", "extra");
        return Combinators.combine(field.list().ofMaxSize(9), value.list().ofSize(9))
                .as((fs, vs) -> {
                    StringBuilder sb = new StringBuilder("{");
                    for (int i = 0; i < fs.size(); i++) {
                        sb.append(i == 0 ? "" : ",").append('"').append(fs.get(i)).append("\":").append(vs.get(i));
                    }
                    return sb.append('}').toString();
                });
    }

    @Provide
    Arbitrary<String> inners() {
        Arbitrary<String> node = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(70),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10));
        Arbitrary<String> cred = Arbitraries.bytes().array(byte[].class).ofMaxSize(40)
                .map(b -> java.util.Base64.getEncoder().encodeToString(b));
        Arbitrary<String> key = Arbitraries.bytes().array(byte[].class).ofMinSize(30).ofMaxSize(33)
                .map(b -> java.util.Base64.getEncoder().encodeToString(b));
        Arbitrary<String> groups = Arbitraries.of("[]", "[\"workers\"]", "[\"lighthouse\"]", "[null]", "\"x\"", "[1]");
        Arbitrary<String> extra = Arbitraries.of("", ",\"address\":\"10.42.0.1\"", ",\"node\":\"dup\"");
        return Combinators.combine(node, key, groups, cred, extra).as((n, k, g, c, e) ->
                "{\"node\":" + quote(n) + ",\"publicKey\":\"" + k + "\",\"groups\":" + g + ",\"credential\":\"" + c + "\"" + e + "}");
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
