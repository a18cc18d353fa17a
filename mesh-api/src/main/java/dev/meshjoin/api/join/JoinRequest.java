package dev.meshjoin.api.join;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a joining node sends to a lighthouse's signing service: its name, its own public key (the
 * private half never leaves it), the groups it would like, a nonce, and a proof of its right to
 * join. The service decides what it actually gets.
 *
 * @param network the network it wants to join
 * @param node its node name
 * @param publicKey its raw public key
 * @param groups the groups it asks for
 * @param nonce a fresh random value, for replay protection
 * @param credential the proof of its right to join (its form is the {@link Admission}'s business)
 */
public record JoinRequest(String network, String node, byte[] publicKey, List<String> groups, byte[] nonce,
                          byte[] credential) {

    public JoinRequest {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(node, "node");
        publicKey = Objects.requireNonNull(publicKey, "publicKey").clone();
        groups = List.copyOf(groups);
        nonce = Objects.requireNonNull(nonce, "nonce").clone();
        credential = credential == null ? new byte[0] : credential.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] credential() {
        return credential.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinRequest r && network.equals(r.network) && node.equals(r.node)
                && Arrays.equals(publicKey, r.publicKey) && groups.equals(r.groups) && Arrays.equals(nonce, r.nonce)
                && Arrays.equals(credential, r.credential);
    }

    @Override
    public int hashCode() {
        return Objects.hash(network, node, Arrays.hashCode(publicKey), groups);
    }

    @Override
    public String toString() {
        return "JoinRequest[" + network + "/" + node + " groups " + groups + ", credential redacted]";
    }
}
