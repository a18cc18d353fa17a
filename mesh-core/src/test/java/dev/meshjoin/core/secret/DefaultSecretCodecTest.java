package dev.meshjoin.core.secret;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.secret.SecretCodecException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultSecretCodecTest {
    private static final byte[] AAD = "mesh/prod/ca-key".getBytes(UTF_8);
    private static final byte[] SALT = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    @Test
    void argon2idDerivationMatchesAnIndependentImplementation() {
        // Known answer from Python's cryptography Argon2id(salt=bytes(range(16)), length=32,
        // iterations=2, lanes=1, memory_cost=19456).derive("network secret ✓".encode()).
        byte[] key = PassphraseKdf.derive("network secret ✓".toCharArray(), SALT);
        assertThat(HexFormat.of().formatHex(key))
                .isEqualTo("47415215d5a440992caab67d8a3f334848966361b18546706694f4c600628e40");
    }

    @Test
    void envelopeCarriesVersionKeyIdSaltAndARandomNonce() {
        DefaultSecretCodec c = new DefaultSecretCodec(SecretKeyring.ofPassphrase("s3cret".toCharArray(), SALT));
        byte[] a = c.seal("value".getBytes(UTF_8), AAD);
        byte[] b = c.seal("value".getBytes(UTF_8), AAD);
        String id = c.currentKeyId();
        assertThat(a[0]).isEqualTo((byte) 1);
        assertThat(a[1]).isEqualTo((byte) PassphraseKdf.ID);
        assertThat(new String(a, 3, a[2], UTF_8)).isEqualTo(id);
        assertThat(Arrays.copyOfRange(a, 4 + id.length(), 4 + id.length() + 16)).isEqualTo(SALT);
        assertThat(a.length).isEqualTo(3 + id.length() + 1 + 16 + 12 + 5 + 16);
        assertThat(a).isNotEqualTo(b); // fresh nonce per seal
        assertThat(c.keyIdOf(a)).isEqualTo(id);
        assertThat(c.open(a, AAD)).isEqualTo("value".getBytes(UTF_8));
        assertThat(c.open(b, AAD)).isEqualTo("value".getBytes(UTF_8));
    }

    @Test
    void theSaltTravelsWithTheValueSoAKeyringWithAnotherSaltStillOpensIt() {
        byte[] otherSalt = SecretKeyring.newSalt();
        byte[] sealed = new DefaultSecretCodec(SecretKeyring.ofPassphrase("pw".toCharArray(), otherSalt))
                .seal("x".getBytes(UTF_8), AAD);
        DefaultSecretCodec reader = new DefaultSecretCodec(SecretKeyring.ofPassphrase("pw".toCharArray(), SALT));
        assertThat(reader.open(sealed, AAD)).containsExactly('x');
        DefaultSecretCodec wrong = new DefaultSecretCodec(SecretKeyring.ofPassphrase("pW".toCharArray(), otherSalt));
        assertThatThrownBy(() -> wrong.open(sealed, AAD)).isInstanceOf(SecretCodecException.class)
                .hasMessageContaining("wrong passphrase");
    }

    @Test
    void derivedKeysAreCachedSoOpeningManyValuesRunsTheKdfOnce() {
        SecretKeyring ring = SecretKeyring.ofPassphrase("cached".toCharArray(), SecretKeyring.newSalt());
        DefaultSecretCodec c = new DefaultSecretCodec(ring);
        long before = PassphraseKdf.derivations();
        for (int i = 0; i < 50; i++) {
            byte[] v = ("v" + i).getBytes(UTF_8);
            assertThat(c.open(c.seal(v, AAD), AAD)).isEqualTo(v);
        }
        assertThat(PassphraseKdf.derivations() - before).isEqualTo(1);
    }

    @Test
    void aValueMovedToAnotherStoreKeyDoesNotOpen() {
        DefaultSecretCodec c = new DefaultSecretCodec(SecretKeyring.ofKey("k1", SecretKeyring.newKey()));
        byte[] sealed = c.seal("secret".getBytes(UTF_8), AAD);
        assertThatThrownBy(() -> c.open(sealed, "mesh/prod/other".getBytes(UTF_8)))
                .isInstanceOf(SecretCodecException.class).hasMessageContaining("another store key");
        assertThatThrownBy(() -> c.open(sealed, null)).isInstanceOf(SecretCodecException.class);
    }

    @Test
    void aValueNamingAKeyTheRingDoesNotHoldIsRefusedByName() {
        DefaultSecretCodec a = new DefaultSecretCodec(SecretKeyring.ofKey("alpha", SecretKeyring.newKey()));
        DefaultSecretCodec b = new DefaultSecretCodec(SecretKeyring.ofKey("beta", SecretKeyring.newKey()));
        byte[] sealed = a.seal("x".getBytes(UTF_8), AAD);
        assertThatThrownBy(() -> b.open(sealed, AAD)).isInstanceOf(SecretCodecException.class)
                .hasMessageContaining("'alpha'");
        // Same id, other key bytes: the id matches but authentication fails.
        DefaultSecretCodec impostor = new DefaultSecretCodec(SecretKeyring.ofKey("alpha", SecretKeyring.newKey()));
        assertThatThrownBy(() -> impostor.open(sealed, AAD)).isInstanceOf(SecretCodecException.class)
                .hasMessageContaining("does not authenticate");
    }

    @Test
    void rotationOpensOldValuesAndSealsWithTheNewKey() {
        byte[] oldKey = SecretKeyring.newKey();
        DefaultSecretCodec before = new DefaultSecretCodec(SecretKeyring.ofKey("2024", oldKey));
        byte[] old = before.seal("old".getBytes(UTF_8), AAD);
        DefaultSecretCodec after = new DefaultSecretCodec(SecretKeyring.builder()
                .current("2025", SecretKeyring.newKey()).previous("2024", oldKey).build());
        assertThat(after.currentKeyId()).isEqualTo("2025");
        assertThat(after.open(old, AAD)).containsExactly('o', 'l', 'd');
        byte[] fresh = after.seal("new".getBytes(UTF_8), AAD);
        assertThat(after.keyIdOf(fresh)).isEqualTo("2025");
        assertThatThrownBy(() -> before.open(fresh, AAD)).isInstanceOf(SecretCodecException.class);
    }

    @Test
    void passphraseRotationKeepsOldPassphraseValuesReadable() {
        byte[] salt = SecretKeyring.newSalt();
        byte[] old = new DefaultSecretCodec(SecretKeyring.ofPassphrase("old pass".toCharArray(), salt))
                .seal("v".getBytes(UTF_8), AAD);
        DefaultSecretCodec rotated = new DefaultSecretCodec(SecretKeyring.builder()
                .currentPassphrase("new pass".toCharArray(), salt).previousPassphrase("old pass".toCharArray()).build());
        assertThat(rotated.open(old, AAD)).containsExactly('v');
        assertThat(rotated.keyIdOf(rotated.seal("w".getBytes(UTF_8), AAD))).isNotEqualTo(rotated.keyIdOf(old));
    }

    @Test
    void malformedEnvelopesAreRefusedWithOurException() {
        DefaultSecretCodec c = new DefaultSecretCodec(SecretKeyring.ofKey("k", SecretKeyring.newKey()));
        byte[] good = c.seal(new byte[0], AAD);
        assertThat(c.open(good, AAD)).isEmpty();
        byte[][] bad = {new byte[0], {2}, {1}, {1, 0, 0}, {1, 0, 33}, {1, 0, 1, '!'}, Arrays.copyOf(good, good.length - 1),
                {1, 1, 1, 'k', 3, 1, 2, 3}};
        for (byte[] b : bad) {
            assertThatThrownBy(() -> c.open(b, AAD)).as(Arrays.toString(b)).isInstanceOf(SecretCodecException.class);
        }
    }

    @Test
    void keyringsRefuseBadInputAndNeverPrintKeys() {
        assertThatThrownBy(() -> SecretKeyring.ofKey("k", new byte[16])).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> SecretKeyring.ofKey("has space", SecretKeyring.newKey())).hasMessageContaining("key id");
        assertThatThrownBy(() -> SecretKeyring.ofPassphrase(new char[0], SALT)).hasMessageContaining("empty");
        assertThatThrownBy(() -> SecretKeyring.ofPassphrase("p".toCharArray(), new byte[8])).hasMessageContaining("salt");
        byte[] k = SecretKeyring.newKey();
        assertThatThrownBy(() -> SecretKeyring.builder().current("a", k).previous("a", SecretKeyring.newKey()).build())
                .hasMessageContaining("share the id");
        SecretKeyring ring = SecretKeyring.builder().currentPassphrase("hunter2".toCharArray(), SALT).previous("a", k).build();
        assertThat(ring.toString()).doesNotContain("hunter2").doesNotContain(HexFormat.of().formatHex(k));
        Set<String> salts = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            salts.add(HexFormat.of().formatHex(SecretKeyring.newSalt()));
        }
        assertThat(salts).hasSize(20);
    }
}
