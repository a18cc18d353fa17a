package dev.meshjoin.core.secret;

import dev.meshjoin.api.secret.SecretCodecException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The keys of a {@link DefaultSecretCodec}: one current key that seals, and any number of previous
 * keys that still open what they sealed. A key is either 32 raw bytes with an id, or a passphrase
 * (the network secret) from which Argon2id derives the key with a salt.
 *
 * <h2>Passphrase keys and salts</h2>
 * The salt is random per network ({@link #newSalt()}) and kept beside the network's record; seals
 * use the salt the keyring was built with and write it into each envelope, and opens derive with
 * the salt the envelope carries, so a value opens with the passphrase alone. The id of a
 * passphrase-derived key is its {@linkplain #fingerprint(byte[]) fingerprint}, so a wrong
 * passphrase is recognised before decryption is attempted. Derived keys are cached per salt (the
 * {@value #DERIVED_CACHE_SIZE} most recent salts per passphrase), so opening many values runs the
 * KDF once. A value carrying a salt not seen before costs one derivation (19 MiB, tens to hundreds
 * of milliseconds); someone who can write the store can make a reader pay that, though
 * never make it accept a forged value.
 *
 * <pre>{@code
 * byte[] salt = SecretKeyring.newSalt();                 // once, when the network is founded
 * SecretKeyring ring = SecretKeyring.ofPassphrase(secret, salt);
 * // rotation: the new passphrase seals, the old one still opens
 * SecretKeyring rotated = SecretKeyring.builder()
 *         .currentPassphrase(newSecret, salt)
 *         .previousPassphrase(secret, salt)
 *         .build();
 * }</pre>
 *
 * <p>Instances are immutable apart from the cache and safe to share between threads. {@link
 * #toString()} names key ids only, never key material.
 */
public final class SecretKeyring {
    /** Raw keys are AES-256 keys. */
    public static final int KEY_BYTES = 32;
    /** The salt length {@link #newSalt()} makes. */
    public static final int SALT_BYTES = 16;
    static final int DERIVED_CACHE_SIZE = 16;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<Slot> slots;

    private SecretKeyring(List<Slot> slots) {
        this.slots = List.copyOf(slots);
    }

    /** A keyring with one passphrase-derived key. */
    public static SecretKeyring ofPassphrase(char[] passphrase, byte[] salt) {
        return builder().currentPassphrase(passphrase, salt).build();
    }

    /** A keyring with one raw 32-byte key named {@code id}. */
    public static SecretKeyring ofKey(String id, byte[] key) {
        return builder().current(id, key).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh random salt for a new network, {@value #SALT_BYTES} bytes. */
    public static byte[] newSalt() {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return salt;
    }

    /** A fresh random 32-byte key. */
    public static byte[] newKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * A key's public name: the first 8 hex digits of the SHA-256 of its bytes. Eight digits
     * identify a key among the handful a network holds and reveal nothing usable about a
     * uniformly random 256-bit key.
     */
    public static String fingerprint(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The id of the key that seals; derives it first if it comes from a passphrase. */
    public String currentKeyId() {
        return sealKey().id();
    }

    /** How many keys (current and previous) the keyring holds. */
    public int size() {
        return slots.size();
    }

    /** The key new seals use, with the KDF id and salt an envelope names. */
    SealKey sealKey() {
        Slot current = slots.get(0);
        if (current instanceof RawSlot raw) {
            return new SealKey(raw.id, 0, null, raw.key);
        }
        PassphraseSlot p = (PassphraseSlot) current;
        byte[] key = p.derive(p.sealSalt);
        return new SealKey(fingerprint(key), PassphraseKdf.ID, p.sealSalt.clone(), key);
    }

    /**
     * The key an envelope names.
     *
     * @throws SecretCodecException when no key of this keyring matches
     */
    byte[] keyFor(String id, int kdfId, byte[] salt) {
        if (kdfId == 0) {
            for (Slot s : slots) {
                if (s instanceof RawSlot raw && raw.id.equals(id)) {
                    return raw.key;
                }
            }
            throw new SecretCodecException("the value is sealed under key '" + id
                    + "', which this keyring does not hold; add it as a previous key to open the value");
        }
        if (kdfId != PassphraseKdf.ID) {
            throw new SecretCodecException("the value names key derivation " + kdfId
                    + ", which this version of meshjoin does not know; upgrade to open it");
        }
        boolean anyPassphrase = false;
        for (Slot s : slots) {
            if (s instanceof PassphraseSlot p) {
                anyPassphrase = true;
                byte[] key = p.derive(salt);
                if (fingerprint(key).equals(id)) {
                    return key;
                }
            }
        }
        throw new SecretCodecException("the value is sealed under passphrase-derived key '" + id + "', which "
                + (anyPassphrase ? "no passphrase of this keyring produces (wrong passphrase?)"
                        : "this keyring cannot produce: it holds no passphrase"));
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Slot s : slots) {
            names.add(s instanceof RawSlot raw ? raw.id : "passphrase");
        }
        return "SecretKeyring" + names + " (first seals)";
    }

    record SealKey(String id, int kdfId, byte[] salt, byte[] key) {
        @Override
        public String toString() {
            return "SealKey[" + id + "]";
        }
    }

    private sealed interface Slot permits RawSlot, PassphraseSlot {
    }

    private static final class RawSlot implements Slot {
        final String id;
        final byte[] key;

        RawSlot(String id, byte[] key) {
            this.id = id;
            this.key = key;
        }
    }

    private static final class PassphraseSlot implements Slot {
        final char[] passphrase;
        final byte[] sealSalt;
        // Access order: the least recently used salt is dropped first.
        private final Map<ByteBuffer, byte[]> derived = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
                return size() > DERIVED_CACHE_SIZE;
            }
        };

        PassphraseSlot(char[] passphrase, byte[] sealSalt) {
            this.passphrase = passphrase;
            this.sealSalt = sealSalt;
        }

        // Synchronized for the whole derivation so concurrent opens under one salt derive once.
        synchronized byte[] derive(byte[] salt) {
            ByteBuffer k = ByteBuffer.wrap(salt.clone());
            byte[] key = derived.get(k);
            if (key == null) {
                key = PassphraseKdf.derive(passphrase, salt);
                derived.put(k, key);
            }
            return key;
        }
    }

    /** Builds a keyring: exactly one current key, then previous keys in any order. */
    public static final class Builder {
        private Slot current;
        private final List<Slot> previous = new ArrayList<>();

        private Builder() {
        }

        /** The key that seals: 32 raw bytes named {@code id} (letters, digits, {@code . _ -}; up to 32). */
        public Builder current(String id, byte[] key) {
            return setCurrent(raw(id, key));
        }

        /** The key that seals, derived from a passphrase; seals write {@code salt} into the envelope. */
        public Builder currentPassphrase(char[] passphrase, byte[] salt) {
            return setCurrent(passphrase(passphrase, salt));
        }

        /** A key that still opens what it sealed. */
        public Builder previous(String id, byte[] key) {
            previous.add(raw(id, key));
            return this;
        }

        /** A passphrase that still opens what it sealed (under any salt the envelopes carry). */
        public Builder previousPassphrase(char[] passphrase) {
            previous.add(new PassphraseSlot(PassphraseKdf.copyPassphrase(passphrase), null));
            return this;
        }

        public SecretKeyring build() {
            if (current == null) {
                throw new IllegalStateException("a keyring needs a current key to seal with");
            }
            List<Slot> all = new ArrayList<>();
            all.add(current);
            all.addAll(previous);
            Set<String> ids = new HashSet<>();
            for (Slot s : all) {
                if (s instanceof RawSlot raw && !ids.add(raw.id)) {
                    throw new IllegalArgumentException("two keys share the id '" + raw.id + "'");
                }
            }
            return new SecretKeyring(all);
        }

        private Builder setCurrent(Slot slot) {
            if (current != null) {
                throw new IllegalStateException("a keyring has one current key; add older ones with previous(...)");
            }
            current = slot;
            return this;
        }

        private static RawSlot raw(String id, byte[] key) {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(key, "key");
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("a key id is 1 to 32 letters, digits, '.', '_' or '-', got '"
                        + id + "'");
            }
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException("a raw key has " + KEY_BYTES + " bytes, got " + key.length
                        + "; make one with SecretKeyring.newKey()");
            }
            return new RawSlot(id, key.clone());
        }

        private static PassphraseSlot passphrase(char[] passphrase, byte[] salt) {
            PassphraseKdf.checkSalt(salt);
            return new PassphraseSlot(PassphraseKdf.copyPassphrase(passphrase), salt.clone());
        }
    }
}
