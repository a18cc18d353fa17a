package dev.meshjoin.core.signing;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.join.JoinNetwork;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A joiner's credential from the network secret: an HMAC, under the secret's verifier, of the
 * network, node name, public key and nonce. The secret itself is never sent. The verifier is
 * derived once per network salt (PBKDF2 is deliberately slow) and kept in memory.
 *
 * <pre>{@code
 * MeshNode.builder().credentials(new NetworkSecretCredentials(System.getenv("MESH_SECRET").toCharArray()))
 * }</pre>
 */
public final class NetworkSecretCredentials implements JoinCredential, dev.meshjoin.core.trust.MacKeySource {
    private final char[] secret;
    private final Map<String, byte[]> verifiers = new ConcurrentHashMap<>();

    /** @throws ConfigurationException when the secret is shorter than 16 characters */
    public NetworkSecretCredentials(char[] secret) {
        this.secret = NetworkSecret.check(secret);
    }

    @Override
    public byte[] proofFor(JoinNetwork network, String node, byte[] publicKey, byte[] nonce) {
        byte[] v = verifier(network.salt());
        return Credential.secretProof(NetworkSecret.proof(v, network.name(), node, publicKey, nonce));
    }

    /**
     * The record MAC key: HKDF-SHA256 of the secret's verifier (PBKDF2, so a store reader guessing
     * the secret from a MAC pays for every guess) with the network's salt and its own label, so it
     * is independent of the join proofs made under the same verifier.
     */
    @Override
    public java.util.Optional<byte[]> recordMacKey(byte[] networkSalt) {
        return java.util.Optional.of(NetworkSecret.recordMacKey(verifier(networkSalt), networkSalt));
    }

    private byte[] verifier(byte[] salt) {
        return verifiers.computeIfAbsent(Base64.getEncoder().encodeToString(salt), s -> NetworkSecret.verifier(secret, salt));
    }

    @Override
    public String toString() {
        return "NetworkSecretCredentials[secret redacted]";
    }
}
