package dev.meshjoin.core.signing;

import dev.meshjoin.api.ConfigurationException;
import java.util.Arrays;

/**
 * The network secret's verifier: PBKDF2-HMAC-SHA256 of the secret under the network's random salt
 * (from the network record). Joiners hold the secret and derive the verifier; lighthouses hold the
 * verifier (sealed in the store), never the secret. Proofs are HMACs under the verifier.
 */
final class NetworkSecret {
    /** PBKDF2 rounds; a protocol constant, since both sides must derive the same verifier. */
    static final int ITERATIONS = 210_000;
    static final int MIN_LENGTH = 16;
    private static final byte[] PROOF_LABEL = SigningCrypto.utf8("meshjoin/join-proof/v1");
    private static final byte[] RECORD_MAC_LABEL = SigningCrypto.utf8("meshjoin/record-mac/v1");

    private NetworkSecret() {
    }

    static char[] check(char[] secret) {
        if (secret == null || secret.length < MIN_LENGTH) {
            throw new ConfigurationException("the network secret must be at least " + MIN_LENGTH
                    + " characters (a random one: openssl rand -base64 32); an empty or short secret would let "
                    + "anyone guess their way in");
        }
        return secret.clone();
    }

    static byte[] verifier(char[] secret, byte[] salt) {
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
