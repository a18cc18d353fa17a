package dev.meshjoin.core.secret;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fernet tokens, exact to the Fernet specification, so values can be shared with fleets that still
 * run the original Python code (which used the {@code cryptography} package's {@code Fernet}).
 *
 * <h2>Format</h2>
 * A token is the urlsafe base64 (with padding) of {@code 0x80 || timestamp (64-bit big-endian
 * seconds) || IV (16 bytes) || AES-128-CBC/PKCS7 ciphertext || HMAC-SHA256}, the HMAC taken over
 * everything before it. A key is the urlsafe base64 of 32 bytes: the signing key, then the
 * encryption key. Sealed values are the token's ASCII bytes.
 *
 * <h2>Opening</h2>
 * Base64 is decoded strictly; the HMAC is compared in constant time with each key in turn (the
 * current key first), and only an authenticated token is decrypted. With a time-to-live, a token
 * older than it is refused, and so is one stamped more than 60 seconds in the future (the usual
 * clock-skew allowance); without one, the timestamp is not checked, as in the reference
 * implementations.
 *
 * <h2>Key ids</h2>
 * Fernet tokens do not name their key. This codec names each key by its
 * {@linkplain SecretKeyring#fingerprint(byte[]) fingerprint}: the first 8 hex digits of the SHA-256
 * of the 32 key bytes. {@link #keyIdOf(byte[])} finds the key whose HMAC verifies the token (no
 * decryption) and refuses a token no key authenticates.
 *
 * <h2>Associated data</h2>
 * Fernet cannot bind associated data, so a token copied to another store key still opens. By
 * default this codec therefore refuses non-empty associated data on both seal and open, rather
 * than silently dropping the binding the caller asked for. A caller that accepts unbound values —
 * to share tokens with the original, which never bound them — opts in with
 * {@link Builder#unboundAssociatedData()}; the associated data is then ignored. The
 * {@code fernet-legacy} preset does so.
 *
 * <pre>{@code
 * FernetCodec codec = FernetCodec.builder()
 *         .current(newKey).previous(oldKey)     // seal with the new key, open with either
 *         .ttl(Duration.ofDays(1))
 *         .build();
 * }</pre>
 */
public final class FernetCodec implements SecretCodec {
    /** The name of a codec with keys given directly. */
    public static final String NAME = "fernet";
    /** The name of the codec whose key is derived from a passphrase as the original did. */
    public static final String LEGACY_NAME = "fernet-legacy";
    /** The original's static PBKDF2 salt. */
    static final byte[] LEGACY_SALT = "rma-demo-vpn-salt-v1".getBytes(StandardCharsets.US_ASCII);
    static final int LEGACY_ITERATIONS = 100_000;
    static final long MAX_CLOCK_SKEW_SECONDS = 60;
    private static final int VERSION = 0x80;
    private static final int HEADER = 1 + 8 + 16;
    private static final int HMAC_BYTES = 32;
    private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();

    private final String name;
    private final List<Key> keys;
    private final Duration ttl;
    private final Clock clock;
    private final SecureRandom random;
    private final boolean unbound;

    private record Key(String id, byte[] signing, byte[] encryption) {
        @Override
        public String toString() {
            return "FernetKey[" + id + "]";
        }
    }

    private FernetCodec(Builder b) {
        this.name = b.name;
        this.keys = List.copyOf(b.keys);
        this.ttl = b.ttl;
        this.clock = b.clock;
        this.random = b.random;
        this.unbound = b.unbound;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A new random Fernet key, urlsafe base64 of 32 bytes (as {@code Fernet.generate_key()}). */
    public static String generateKey() {
        byte[] k = new byte[32];
        DEFAULT_RANDOM.nextBytes(k);
        return Base64.getUrlEncoder().encodeToString(k);
    }

    /**
     * The key the original derived from its passphrase: urlsafe base64 of
     * PBKDF2-HMAC-SHA256(passphrase as UTF-8, salt {@code rma-demo-vpn-salt-v1}, 100,000
     * iterations, 32 bytes). The salt is static and public, so this protects no better than the
     * passphrase itself; use it only to share values with the original.
     */
    public static String legacyKey(char[] passphrase) {
        char[] p = PassphraseKdf.copyPassphrase(passphrase);
        PBEKeySpec spec = new PBEKeySpec(p, LEGACY_SALT, LEGACY_ITERATIONS, 256);
        try {
            // The JDK's PBKDF2 encodes the characters as UTF-8, as Python's str.encode() does.
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return Base64.getUrlEncoder().encodeToString(key);
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("cannot derive a key from this passphrase: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(p, '\0');
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String currentKeyId() {
        return keys.get(0).id;
    }

    /** Whether associated data is ignored (see the class description). */
    public boolean unboundAssociatedData() {
        return unbound;
    }

    @Override
    public byte[] seal(byte[] plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        checkAssociatedData(associatedData);
        byte[] iv = new byte[16];
        random.nextBytes(iv);
        return sealAt(plaintext, iv, clock.instant().getEpochSecond());
    }

    /** Seals with a given IV and timestamp: for the specification's acceptance data only. */
    byte[] sealAt(byte[] plaintext, byte[] iv, long timestamp) {
        Key k = keys.get(0);
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k.encryption, "AES"), new IvParameterSpec(iv));
            byte[] ciphertext = c.doFinal(plaintext);
            ByteBuffer b = ByteBuffer.allocate(HEADER + ciphertext.length + HMAC_BYTES);
            b.put((byte) VERSION).putLong(timestamp).put(iv).put(ciphertext);
            byte[] raw = b.array();
            byte[] mac = hmac(k.signing, raw, raw.length - HMAC_BYTES);
            System.arraycopy(mac, 0, raw, raw.length - HMAC_BYTES, HMAC_BYTES);
            return Base64.getUrlEncoder().encode(raw);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC failed to seal", e);
        }
    }

    @Override
    public byte[] open(byte[] sealed, byte[] associatedData) {
        checkAssociatedData(associatedData);
        byte[] raw = decode(sealed);
        checkTimestamp(raw);
        Key k = authenticate(raw);
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k.encryption, "AES"), new IvParameterSpec(raw, 9, 16));
            return c.doFinal(raw, HEADER, raw.length - HEADER - HMAC_BYTES);
        } catch (BadPaddingException e) {
            throw new SecretCodecException("the Fernet token authenticates but its padding is invalid "
                    + "(it was made with a wrong IV or by a faulty encoder)");
        } catch (GeneralSecurityException e) {
            throw new SecretCodecException("the Fernet token could not be decrypted: " + e.getMessage(), e);
        }
    }

    /** The fingerprint of the key whose HMAC verifies the token; nothing is decrypted. */
    @Override
    public String keyIdOf(byte[] sealed) {
        return authenticate(decode(sealed)).id;
    }

    private void checkAssociatedData(byte[] associatedData) {
        if (!unbound && associatedData != null && associatedData.length > 0) {
            throw new SecretCodecException("Fernet cannot bind associated data (such as the store key) to a value;"
                    + " pass none, use the default codec, or build the Fernet codec with unboundAssociatedData()");
        }
    }

    private static byte[] decode(byte[] sealed) {
        if (sealed == null || sealed.length == 0) {
            throw new SecretCodecException("the value is empty, not a Fernet token");
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new SecretCodecException("not a Fernet token: invalid urlsafe base64 (" + e.getMessage() + ")");
        }
        // Decoders accept missing padding and ignore the unused low bits of the last character;
        // only the one canonical encoding is accepted, so no two tokens carry the same bytes.
        if (!Arrays.equals(Base64.getUrlEncoder().encode(raw), sealed)) {
            throw new SecretCodecException("not a Fernet token: not canonical urlsafe base64 with padding");
        }
        if (raw.length < HEADER + 16 + HMAC_BYTES) {
            throw new SecretCodecException("the Fernet token is too short (" + raw.length + " bytes decoded, at least "
                    + (HEADER + 16 + HMAC_BYTES) + " needed)");
        }
        if ((raw[0] & 0xff) != VERSION) {
            throw new SecretCodecException("not a Fernet token: version byte 0x"
                    + Integer.toHexString(raw[0] & 0xff) + ", expected 0x80");
        }
        if ((raw.length - HEADER - HMAC_BYTES) % 16 != 0) {
            throw new SecretCodecException("the Fernet token's ciphertext is not a whole number of AES blocks");
        }
        return raw;
    }

    private void checkTimestamp(byte[] raw) {
        if (ttl == null) {
            return;
        }
        long ts = ByteBuffer.wrap(raw, 1, 8).getLong();
        long now = clock.instant().getEpochSecond();
        if (ts + ttl.getSeconds() < now) {
            throw new SecretCodecException("the Fernet token has expired (made at " + ts + ", time-to-live "
                    + ttl.getSeconds() + " s, now " + now + ")");
        }
        if (now + MAX_CLOCK_SKEW_SECONDS < ts) {
            throw new SecretCodecException("the Fernet token is stamped " + (ts - now)
                    + " s in the future, beyond the 60 s clock-skew allowance");
        }
    }

    private Key authenticate(byte[] raw) {
        int signed = raw.length - HMAC_BYTES;
        byte[] given = Arrays.copyOfRange(raw, signed, raw.length);
        for (Key k : keys) {
            if (MessageDigest.isEqual(hmac(k.signing, raw, signed), given)) {
                return k;
            }
        }
        throw new SecretCodecException("the Fernet token does not authenticate under any of this codec's "
                + keys.size() + " key(s): it was altered, or made with a key this codec does not hold");
    }

    private static byte[] hmac(byte[] key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "FernetCodec[" + name + ", keys " + keys.stream().map(Key::id).toList()
                + (ttl == null ? "" : ", ttl " + ttl) + (unbound ? ", unbound associated data" : "") + "]";
    }

    /** Builds a {@link FernetCodec}: one current key (seals), any previous keys (still open). */
    public static final class Builder {
        private String name = NAME;
        private Key current;
        private final List<Key> keys = new ArrayList<>();
        private Duration ttl;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random = DEFAULT_RANDOM;
        private boolean unbound;

        private Builder() {
        }

        /** The key that seals: urlsafe base64 of 32 bytes, as {@code Fernet.generate_key()} makes. */
        public Builder current(String key) {
            if (current != null) {
                throw new IllegalStateException("a Fernet codec has one current key; add older ones with previous(...)");
            }
            current = parseKey(key);
            return this;
        }

        /** A key that still opens what it sealed. */
        public Builder previous(String key) {
            keys.add(parseKey(key));
            return this;
        }

        /** Refuse tokens older than this, and tokens stamped over 60 s in the future. */
        public Builder ttl(Duration ttl) {
            if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
                throw new IllegalArgumentException("a Fernet time-to-live is positive, got " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Accept associated data and ignore it (values are not bound to their store key). */
        public Builder unboundAssociatedData() {
            this.unbound = true;
            return this;
        }

        Builder name(String name) {
            this.name = name;
            return this;
        }

        public FernetCodec build() {
            if (current == null) {
                throw new IllegalStateException("a Fernet codec needs a current key to seal with");
            }
            keys.add(0, current);
            for (int i = 0; i < keys.size(); i++) {
                for (int j = i + 1; j < keys.size(); j++) {
                    if (keys.get(i).id.equals(keys.get(j).id)) {
                        throw new IllegalArgumentException("the Fernet key " + keys.get(i).id + " is given twice");
                    }
                }
            }
            try {
                return new FernetCodec(this);
            } finally {
                keys.remove(0);
            }
        }

        private static Key parseKey(String key) {
            Objects.requireNonNull(key, "key");
            byte[] k;
            try {
                k = Base64.getUrlDecoder().decode(key.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a Fernet key is urlsafe base64 of 32 bytes; this one is not base64");
            }
            if (k.length != 32) {
                throw new IllegalArgumentException("a Fernet key is urlsafe base64 of 32 bytes, this one decodes to "
                        + k.length + " bytes");
            }
            return new Key(SecretKeyring.fingerprint(k), Arrays.copyOfRange(k, 0, 16), Arrays.copyOfRange(k, 16, 32));
        }
    }
}
