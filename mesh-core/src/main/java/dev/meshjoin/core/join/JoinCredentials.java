package dev.meshjoin.core.join;

/**
 * Produces the credential a joining node attaches to its request: a proof bound to the request's
 * content (so it cannot be lifted onto another request), never a secret itself.
 */
@FunctionalInterface
public interface JoinCredentials {

    /** The proof for one request. */
    byte[] proofFor(String network, String node, byte[] publicKey, byte[] nonce);
}
