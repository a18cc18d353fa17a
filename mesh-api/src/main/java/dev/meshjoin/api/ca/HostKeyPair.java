package dev.meshjoin.api.ca;

import java.util.Arrays;
import java.util.Objects;

/**
 * A node's own key pair for the overlay (X25519 for Nebula), made on the node and never sent
 * anywhere: only {@link #publicKey()} goes into a join request.
 *
 * @param publicKey raw public key bytes
 * @param privateKey raw private key bytes; copied on the way in and out, never printed
 */
public record HostKeyPair(byte[] publicKey, byte[] privateKey) {

    public HostKeyPair {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(privateKey, "privateKey");
        publicKey = publicKey.clone();
        privateKey = privateKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] privateKey() {
        return privateKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostKeyPair k && Arrays.equals(publicKey, k.publicKey)
                && java.security.MessageDigest.isEqual(privateKey, k.privateKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "HostKeyPair[public " + publicKey.length + " bytes, private redacted]";
    }
}
