package dev.meshjoin.core.secret;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * meshjoin's default {@link SecretCodec}: AES-256-GCM in a versioned binary envelope, with keys
 * from a {@link SecretKeyring}.
 *
 * <h2>Envelope (format version 1)</h2>
 * <pre>
 *  offset  size  field
 *  0       1     format version, 0x01
 *  1       1     key derivation: 0 = raw key, 1 = Argon2id (m=19 MiB, t=2, p=1) from a passphrase
 *  2       1     key id length n (1..32)
 *  3       n     key id, ASCII
 *  [if derivation != 0]
 *          1     salt length s (16..64)
 *          s     salt
 *          12    nonce, random per seal
 *          rest  ciphertext followed by the 16-byte GCM tag
 * </pre>
 * Everything before the ciphertext (the header, nonce included) is authenticated: GCM's associated
 * data is the header followed by the caller's associated data. The header is self-delimiting, so
 * the concatenation is unambiguous. meshjoin passes the store key as associated data, so a value
 * copied to another key does not open.
 *
 * <p>Nonces are 96 random bits, so one key should seal fewer than 2<sup>32</sup> values (NIST SP
 * 800-38D); rotate long before that.
 *
 * <pre>{@code
 * SecretCodec codec = new DefaultSecretCodec(SecretKeyring.ofPassphrase(secret, networkSalt));
 * byte[] sealed = codec.seal(caKey, "mesh/prod/ca-key".getBytes(UTF_8));
 * }</pre>
 */
public final class DefaultSecretCodec implements SecretCodec {
    /** The codec's name in {@link SecretCodecs}. */
    public static final String NAME = "default";
    static final int VERSION = 1;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    });

    private final SecretKeyring keyring;

    public DefaultSecretCodec(SecretKeyring keyring) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String currentKeyId() {
        return keyring.currentKeyId();
    }

    /** The keyring this codec seals and opens with. */
    public SecretKeyring keyring() {
        return keyring;
    }

    @Override
    public byte[] seal(byte[] plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        SecretKeyring.SealKey k = keyring.sealKey();
        byte[] id = k.id().getBytes(StandardCharsets.US_ASCII);
        int saltPart = k.kdfId() == 0 ? 0 : 1 + k.salt().length;
        int headerLength = 3 + id.length + saltPart + NONCE_BYTES;
        byte[] out = new byte[headerLength + plaintext.length + TAG_BYTES];
        int p = 0;
        out[p++] = (byte) VERSION;
        out[p++] = (byte) k.kdfId();
        out[p++] = (byte) id.length;
        System.arraycopy(id, 0, out, p, id.length);
        p += id.length;
        if (k.kdfId() != 0) {
            out[p++] = (byte) k.salt().length;
            System.arraycopy(k.salt(), 0, out, p, k.salt().length);
            p += k.salt().length;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, p, NONCE_BYTES);
        try {
            Cipher c = GCM.get();
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k.key(), "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(out, 0, headerLength);
            if (associatedData != null) {
                c.updateAAD(associatedData);
            }
            int n = c.doFinal(plaintext, 0, plaintext.length, out, headerLength);
            if (n != plaintext.length + TAG_BYTES) {
                throw new IllegalStateException("AES-GCM wrote " + n + " bytes, expected " + (plaintext.length + TAG_BYTES));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed to seal", e);
        }
        return out;
    }

    @Override
    public byte[] open(byte[] sealed, byte[] associatedData) {
        Header h = parse(sealed);
        byte[] key = keyring.keyFor(h.keyId, h.kdfId, h.salt);
        try {
            Cipher c = GCM.get();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BYTES * 8, sealed, h.length - NONCE_BYTES, NONCE_BYTES));
            c.updateAAD(sealed, 0, h.length);
            if (associatedData != null) {
                c.updateAAD(associatedData);
            }
            return c.doFinal(sealed, h.length, sealed.length - h.length);
        } catch (AEADBadTagException e) {
            throw new SecretCodecException("the value does not authenticate under key '" + h.keyId
                    + "': it was altered, or belongs to another store key (associated data differs)");
        } catch (GeneralSecurityException e) {
            throw new SecretCodecException("the value could not be opened: " + e.getMessage(), e);
        }
    }

    @Override
    public String keyIdOf(byte[] sealed) {
        return parse(sealed).keyId;
    }

    private record Header(int kdfId, String keyId, byte[] salt, int length) {
    }

    /** Reads the header; {@code length} ends after the nonce. Refuses anything malformed. */
    private static Header parse(byte[] v) {
        if (v == null || v.length == 0) {
            throw new SecretCodecException("the value is empty, not a sealed value");
        }
        if ((v[0] & 0xff) != VERSION) {
            throw new SecretCodecException("not a sealed value of the default codec (format version "
                    + (v[0] & 0xff) + ", expected " + VERSION + ")");
        }
        if (v.length < 3) {
            throw new SecretCodecException("the sealed value is truncated (" + v.length + " bytes)");
        }
        int kdf = v[1] & 0xff;
        int idLength = v[2] & 0xff;
        if (idLength < 1 || idLength > 32) {
            throw new SecretCodecException("the sealed value has an invalid key id length " + idLength);
        }
        int p = 3;
        if (v.length < p + idLength) {
            throw new SecretCodecException("the sealed value is truncated in its key id");
        }
        for (int i = p; i < p + idLength; i++) {
            int ch = v[i] & 0xff;
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == '-';
            if (!ok) {
                throw new SecretCodecException("the sealed value has an invalid key id");
            }
        }
        String keyId = new String(v, p, idLength, StandardCharsets.US_ASCII);
        p += idLength;
        byte[] salt = null;
        if (kdf != 0) {
            if (v.length < p + 1) {
                throw new SecretCodecException("the sealed value is truncated before its salt");
            }
            int saltLength = v[p++] & 0xff;
            if (saltLength < PassphraseKdf.MIN_SALT_BYTES || saltLength > PassphraseKdf.MAX_SALT_BYTES) {
                throw new SecretCodecException("the sealed value has an invalid salt length " + saltLength);
            }
            if (v.length < p + saltLength) {
                throw new SecretCodecException("the sealed value is truncated in its salt");
            }
            salt = java.util.Arrays.copyOfRange(v, p, p + saltLength);
            p += saltLength;
        }
        p += NONCE_BYTES;
        if (v.length < p + TAG_BYTES) {
            throw new SecretCodecException("the sealed value is truncated (" + v.length
                    + " bytes, the header and tag alone need " + (p + TAG_BYTES) + ")");
        }
        return new Header(kdf, keyId, salt, p);
    }

    @Override
    public String toString() {
        return "DefaultSecretCodec[" + keyring + "]";
    }
}
