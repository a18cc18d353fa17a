package dev.meshjoin.core.signing;

import dev.meshjoin.api.ConfigurationException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * The network secret's verifier, derived under the network's random salt (from the network record).
 * Joiners hold the secret and derive the verifier; lighthouses hold the verifier (sealed in the
 * store), never the secret. Proofs are HMACs under the verifier.
 *
 * <p>Two kinds of secret: a <em>network key</em> made by {@link #generate} ({@value #KEY_PREFIX}
 * and 32 random bytes) has 256 bits of entropy, so the verifier is HKDF-SHA256 of those bytes —
 * guessing them is hopeless however cheap one guess is, as with a WireGuard or a Nebula key. Any
 * other secret is a passphrase a person chose, and is stretched with 210,000 rounds of
 * PBKDF2-HMAC-SHA256, so that a store reader guessing it from a MAC or the verifier pays for every
 * guess. The kind is read off the secret itself, never off the store: a store writer cannot make
 * a joiner use the cheap derivation for a passphrase, and both sides of a join, holding the same
 * secret, always agree.
 */
final class NetworkSecret {
    /** PBKDF2 rounds for a passphrase; a protocol constant, since both sides must derive the same verifier. */
    static final int ITERATIONS = 210_000;
    static final int MIN_LENGTH = 16;
    /** How a network key made by {@link #generate} begins. */
    static final String KEY_PREFIX = "mjs1.";
    private static final int KEY_BYTES = 32;
    private static final int KEY_LENGTH = KEY_PREFIX.length() + 43;
    /**
     * 32 random bytes take fewer than 16 distinct values with a probability far below 2^-100, so a
     * key with fewer was written by hand (mjs1.AAAA…) and would be guessable without stretching.
     */
    private static final int MIN_DISTINCT_BYTES = 16;
    private static final byte[] PROOF_LABEL = SigningCrypto.utf8("meshjoin/join-proof/v1");
    private static final byte[] RECORD_MAC_LABEL = SigningCrypto.utf8("meshjoin/record-mac/v1");
    private static final byte[] KEY_VERIFIER_LABEL = SigningCrypto.utf8("meshjoin/network-key-verifier/v1");

    private NetworkSecret() {
    }

    static char[] check(char[] secret) {
        if (secret == null || secret.length < MIN_LENGTH) {
            throw new ConfigurationException("the network secret must be at least " + MIN_LENGTH
                    + " characters (a random one: meshctl secret generate); an empty or short secret would let "
                    + "anyone guess their way in");
        }
        networkKey(secret).ifPresent(k -> Arrays.fill(k, (byte) 0));
        return secret.clone();
    }

    /** A new network key: {@value #KEY_PREFIX} and 32 random bytes in urlsafe base64 without padding. */
    static char[] generate() {
        byte[] key = new byte[KEY_BYTES];
        do {
            SigningCrypto.RANDOM.nextBytes(key);
        } while (distinct(key) < MIN_DISTINCT_BYTES);
        String text = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        Arrays.fill(key, (byte) 0);
        return text.toCharArray();
    }

    /** Whether the secret is a network key (else a passphrase, stretched with PBKDF2). */
    static boolean isNetworkKey(char[] secret) {
        Optional<byte[]> key = networkKey(secret);
        key.ifPresent(k -> Arrays.fill(k, (byte) 0));
        return key.isPresent();
    }

    /**
     * The key's 32 bytes when the secret is a network key; empty for a passphrase.
     *
     * @throws ConfigurationException when it begins as a network key but is not a whole, random one:
     *     treating a mistyped or hand-made key as a passphrase would only fail later, and less clearly
     */
    static Optional<byte[]> networkKey(char[] secret) {
        if (secret.length < KEY_PREFIX.length()
                || !CharBuffer.wrap(secret, 0, KEY_PREFIX.length()).toString().equals(KEY_PREFIX)) {
            return Optional.empty();
        }
        byte[] key = null;
        if (secret.length == KEY_LENGTH) {
            try {
                ByteBuffer ascii = StandardCharsets.US_ASCII.newEncoder()
                        .encode(CharBuffer.wrap(secret, KEY_PREFIX.length(), KEY_LENGTH - KEY_PREFIX.length()));
                byte[] text = new byte[ascii.remaining()];
                ascii.get(text);
                key = Base64.getUrlDecoder().decode(text);
                Arrays.fill(text, (byte) 0);
            } catch (CharacterCodingException | IllegalArgumentException e) {
                key = null;
            }
        }
        if (key == null || key.length != KEY_BYTES) {
            throw new ConfigurationException("the network secret begins with " + KEY_PREFIX + " but is not a whole network"
                    + " key (" + KEY_LENGTH + " characters: " + KEY_PREFIX + " and 43 of urlsafe base64); copy it again"
                    + " as meshctl secret generate printed it");
        }
        if (distinct(key) < MIN_DISTINCT_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new ConfigurationException("the network secret looks like a network key but its bytes are not random;"
                    + " make one with meshctl secret generate, or use a passphrase without the " + KEY_PREFIX + " prefix");
        }
        return Optional.of(key);
    }

    private static int distinct(byte[] b) {
        boolean[] seen = new boolean[256];
        int n = 0;
        for (byte x : b) {
            if (!seen[x & 0xff]) {
                seen[x & 0xff] = true;
                n++;
            }
        }
        return n;
    }

    /** The verifier: HKDF of a network key, PBKDF2 of a passphrase. */
    static byte[] verifier(char[] secret, byte[] salt) {
        Optional<byte[]> key = networkKey(secret);
        if (key.isPresent()) {
            byte[] v = SigningCrypto.hkdf(key.get(), Arrays.copyOf(salt, salt.length), KEY_VERIFIER_LABEL, 32);
            Arrays.fill(key.get(), (byte) 0);
            return v;
        }
        return SigningCrypto.pbkdf2(secret, Arrays.copyOf(salt, salt.length), ITERATIONS);
    }

    /** The key under which store records carry a MAC (see {@code dev.meshjoin.core.trust.RecordEnvelope}). */
    static byte[] recordMacKey(byte[] verifier, byte[] salt) {
        return SigningCrypto.hkdf(verifier, salt, RECORD_MAC_LABEL, 32);
    }

    static byte[] proof(byte[] verifier, String network, String node, byte[] publicKey, byte[] nonce) {
        return SigningCrypto.hmacFields(verifier, PROOF_LABEL, SigningCrypto.utf8(network), SigningCrypto.utf8(node),
                publicKey, nonce);
    }
}
