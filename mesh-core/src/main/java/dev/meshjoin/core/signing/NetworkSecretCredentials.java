package dev.meshjoin.core.signing;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.core.join.JoinCredentials;
import dev.meshjoin.core.record.NetworkRecord;
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
public final class NetworkSecretCredentials implements JoinCredentials {
    private final char[] secret;
    private final Map<String, byte[]> verifiers = new ConcurrentHashMap<>();

    /** @throws ConfigurationException when the secret is shorter than 16 characters */
    public NetworkSecretCredentials(char[] secret) {
        this.secret = NetworkSecret.check(secret);
    }

    @Override
    public byte[] proofFor(NetworkRecord network, String node, byte[] publicKey, byte[] nonce) {
        byte[] v = verifiers.computeIfAbsent(network.secretSalt(),
                s -> NetworkSecret.verifier(secret, Base64.getDecoder().decode(s)));
        return Credential.secretProof(NetworkSecret.proof(v, network.network(), node, publicKey, nonce));
    }

    /** Always refuses: the proof needs the network record's salt; callers pass the record. */
    @Override
    public byte[] proofFor(String network, String node, byte[] publicKey, byte[] nonce) {
        throw new ConfigurationException("NetworkSecretCredentials needs the network record (its salt); "
                + "call proofFor(NetworkRecord, ...)");
    }

    @Override
    public String toString() {
        return "NetworkSecretCredentials[secret redacted]";
    }
}
