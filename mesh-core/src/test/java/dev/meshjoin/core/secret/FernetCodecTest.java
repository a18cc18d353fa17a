package dev.meshjoin.core.secret;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.secret.SecretCodecException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FernetCodecTest {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private final String k1 = FernetCodec.generateKey();
    private final String k2 = FernetCodec.generateKey();

    private static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    @Test
    void tokensHaveTheSpecifiedLayout() {
        FernetCodec c = FernetCodec.builder().current(k1).clock(at(T0)).build();
        byte[] token = c.seal("hello".getBytes(UTF_8), null);
        byte[] raw = Base64.getUrlDecoder().decode(token);
        assertThat(token.length % 4).isZero();
        assertThat(raw[0] & 0xff).isEqualTo(0x80);
        assertThat(ByteBuffer.wrap(raw, 1, 8).getLong()).isEqualTo(T0.getEpochSecond());
        assertThat(raw.length).isEqualTo(1 + 8 + 16 + 16 + 32); // "hello" pads to one block
        assertThat(new String(c.open(token, null), UTF_8)).isEqualTo("hello");
    }

    @Test
    void ttlRefusesOldTokensAndFarFutureTokensWithSixtySecondsOfSkew() {
        byte[] token = FernetCodec.builder().current(k1).clock(at(T0)).build().seal("v".getBytes(UTF_8), null);
        FernetCodec.Builder reader = FernetCodec.builder().current(k1).ttl(Duration.ofSeconds(100));
        assertThat(reader.clock(at(T0.plusSeconds(100))).build().open(token, null)).containsExactly('v');
        assertThatThrownBy(() -> FernetCodec.builder().current(k1).ttl(Duration.ofSeconds(100))
                .clock(at(T0.plusSeconds(101))).build().open(token, null))
                .isInstanceOf(SecretCodecException.class).hasMessageContaining("expired");
        // A reader whose clock is behind: up to 60 s is tolerated, 61 s is not.
        assertThat(FernetCodec.builder().current(k1).ttl(Duration.ofSeconds(100))
                .clock(at(T0.minusSeconds(60))).build().open(token, null)).containsExactly('v');
        assertThatThrownBy(() -> FernetCodec.builder().current(k1).ttl(Duration.ofSeconds(100))
                .clock(at(T0.minusSeconds(61))).build().open(token, null))
                .isInstanceOf(SecretCodecException.class).hasMessageContaining("future");
        // Without a time-to-live the timestamp is not checked, as in the reference implementations.
        assertThat(FernetCodec.builder().current(k1).clock(at(T0.plus(Duration.ofDays(3650)))).build()
                .open(token, null)).containsExactly('v');
    }

    @Test
    void rotationSealsWithTheCurrentKeyAndOpensWithAny() throws Exception {
        FernetCodec old = FernetCodec.builder().current(k1).build();
        FernetCodec rotated = FernetCodec.builder().current(k2).previous(k1).build();
        byte[] before = old.seal("a".getBytes(UTF_8), null);
        byte[] after = rotated.seal("b".getBytes(UTF_8), null);
        assertThat(rotated.open(before, null)).containsExactly('a');
        assertThat(rotated.keyIdOf(before)).isEqualTo(old.currentKeyId());
        assertThat(rotated.keyIdOf(after)).isEqualTo(rotated.currentKeyId()).isNotEqualTo(old.currentKeyId());
        assertThatThrownBy(() -> old.open(after, null)).isInstanceOf(SecretCodecException.class)
                .hasMessageContaining("does not authenticate");
        // The key id is the first 8 hex digits of the SHA-256 of the 32 key bytes.
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(k2));
        assertThat(rotated.currentKeyId()).isEqualTo(HexFormat.of().formatHex(digest, 0, 4));
    }

    @Test
    void associatedDataIsRefusedUnlessTheCallerOptsIntoUnboundValues() {
        FernetCodec strict = FernetCodec.builder().current(k1).build();
        byte[] aad = "mesh/prod/ca-key".getBytes(UTF_8);
        assertThatThrownBy(() -> strict.seal("x".getBytes(UTF_8), aad))
                .isInstanceOf(SecretCodecException.class).hasMessageContaining("cannot bind associated data");
        byte[] token = strict.seal("x".getBytes(UTF_8), new byte[0]);
        assertThatThrownBy(() -> strict.open(token, aad)).isInstanceOf(SecretCodecException.class);

        FernetCodec unbound = FernetCodec.builder().current(k1).unboundAssociatedData().build();
        byte[] sealedForOneKey = unbound.seal("x".getBytes(UTF_8), aad);
        // Unbound means exactly that: the value opens under any other associated data.
        assertThat(unbound.open(sealedForOneKey, "mesh/prod/other".getBytes(UTF_8))).containsExactly('x');
        assertThat(strict.open(sealedForOneKey, null)).containsExactly('x');
    }

    @Test
    void legacyKeyMatchesPythonsPbkdf2Derivation() {
        // Known answers from Python's hashlib.pbkdf2_hmac('sha256', p.encode(), b'rma-demo-vpn-salt-v1', 100000, 32).
        assertThat(FernetCodec.legacyKey("correct horse battery staple".toCharArray()))
                .isEqualTo("p5FpzvkoBKdU3n_zKnuck95p-841XAni5HCLsXQGpcI=");
        assertThat(FernetCodec.legacyKey("pässwörd-ü€".toCharArray()))
                .isEqualTo("Tq0QvNILBBDwN_skUtxvUi22Gs46MOU7uyGce1_82AA=");
        assertThatThrownBy(() -> FernetCodec.legacyKey(new char[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedTokensAreRefusedWithOurException() {
        FernetCodec c = FernetCodec.builder().current(k1).build();
        String good = new String(c.seal("hello".getBytes(UTF_8), null), US_ASCII);
        for (String bad : new String[] {"", "not base64 !", good.replace('=', ' '), good.substring(0, good.length() - 1),
                good.replace("=", ""), "A" + good.substring(1), good.replace('-', '+').replace('_', '/') + "x"}) {
            assertThatThrownBy(() -> c.open(bad.getBytes(US_ASCII), null)).as(bad).isInstanceOf(SecretCodecException.class);
        }
        assertThatThrownBy(() -> c.keyIdOf("gAAAAA==".getBytes(US_ASCII))).isInstanceOf(SecretCodecException.class);
    }

    @Test
    void badKeysAreRefusedAtBuildTime() {
        assertThatThrownBy(() -> FernetCodec.builder().current("c2hvcnQ=")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> FernetCodec.builder().current(k1).previous(k1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> FernetCodec.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThat(FernetCodec.builder().current(k1).build().toString()).doesNotContain(k1);
    }
}
