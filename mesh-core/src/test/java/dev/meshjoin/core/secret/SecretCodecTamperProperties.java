package dev.meshjoin.core.secret;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Any change to a sealed value, of either codec, is refused with {@link SecretCodecException}. */
class SecretCodecTamperProperties {
    private static final byte[] AAD = "mesh/prod/network".getBytes(UTF_8);
    // One passphrase codec for the whole class: its key is derived once and cached.
    private static final SecretCodec PASSPHRASE = new DefaultSecretCodec(
            SecretKeyring.ofPassphrase("tamper test".toCharArray(), SecretKeyring.newSalt()));
    private static final SecretCodec RAW = new DefaultSecretCodec(SecretKeyring.ofKey("raw-1", SecretKeyring.newKey()));
    private static final SecretCodec FERNET = FernetCodec.builder().current(FernetCodec.generateKey())
            .previous(FernetCodec.generateKey()).build();

    @Provide
    Arbitrary<SecretCodec> codecs() {
        return Arbitraries.of(RAW, PASSPHRASE, FERNET);
    }

    private static byte[] aadFor(SecretCodec c) {
        return c == FERNET ? null : AAD;
    }

    @Property(tries = 400)
    void flippingAnySingleBitIsRefused(@ForAll("codecs") SecretCodec codec, @ForAll @Size(max = 100) byte[] plaintext,
                                       @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int where) {
        byte[] sealed = codec.seal(plaintext, aadFor(codec));
        assertThat(codec.open(sealed, aadFor(codec))).isEqualTo(plaintext);
        int bit = where % (sealed.length * 8);
        byte[] flipped = sealed.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        assertThatThrownBy(() -> codec.open(flipped, aadFor(codec)))
                .as("%s, bit %d of %d bytes", codec.name(), bit, sealed.length)
                .isInstanceOf(SecretCodecException.class);
    }

    @Property(tries = 300)
    void truncatedOrExtendedValuesAreRefused(@ForAll("codecs") SecretCodec codec, @ForAll @Size(max = 100) byte[] plaintext,
                                             @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int cut,
                                             @ForAll @Size(min = 1, max = 20) byte[] extra) {
        byte[] sealed = codec.seal(plaintext, aadFor(codec));
        byte[] truncated = Arrays.copyOf(sealed, cut % sealed.length);
        assertThatThrownBy(() -> codec.open(truncated, aadFor(codec))).isInstanceOf(SecretCodecException.class);
        byte[] extended = Arrays.copyOf(sealed, sealed.length + extra.length);
        System.arraycopy(extra, 0, extended, sealed.length, extra.length);
        assertThatThrownBy(() -> codec.open(extended, aadFor(codec))).isInstanceOf(SecretCodecException.class);
    }

    @Property(tries = 200)
    void aValueMovedToAnotherStoreKeyIsRefused(@ForAll @Size(max = 64) byte[] plaintext,
                                               @ForAll @Size(max = 40) String otherKey) {
        byte[] other = ("mesh/prod/" + otherKey).getBytes(UTF_8);
        if (Arrays.equals(other, AAD)) {
            return;
        }
        for (SecretCodec codec : new SecretCodec[] {RAW, PASSPHRASE}) {
            byte[] sealed = codec.seal(plaintext, AAD);
            assertThatThrownBy(() -> codec.open(sealed, other)).isInstanceOf(SecretCodecException.class);
        }
    }

    @Property(tries = 100)
    void arbitraryBytesNeverOpen(@ForAll("codecs") SecretCodec codec, @ForAll @Size(max = 200) byte[] junk) {
        assertThatThrownBy(() -> codec.open(junk, aadFor(codec))).isInstanceOf(SecretCodecException.class);
    }

    @Property(tries = 100)
    void aValueSealedUnderAnotherKeyIsRefused(@ForAll @Size(max = 64) byte[] plaintext) {
        SecretCodec otherRaw = new DefaultSecretCodec(SecretKeyring.ofKey("raw-2", SecretKeyring.newKey()));
        assertThatThrownBy(() -> RAW.open(otherRaw.seal(plaintext, AAD), AAD))
                .isInstanceOf(SecretCodecException.class).hasMessageContaining("'raw-2'");
        SecretCodec otherFernet = FernetCodec.builder().current(FernetCodec.generateKey()).build();
        assertThatThrownBy(() -> FERNET.open(otherFernet.seal(plaintext, null), null))
                .isInstanceOf(SecretCodecException.class);
    }
}
