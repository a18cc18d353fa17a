package dev.meshjoin.core.join;

import dev.meshjoin.core.record.NetworkRecord;

/**
 * Produces the credential a joining node attaches to its request: a proof bound to the request's
 * content (so it cannot be lifted onto another request), never a secret itself.
 */
@FunctionalInterface
public interface JoinCredentials {

    /** The proof for one request. */
    byte[] proofFor(String network, String node, byte[] publicKey, byte[] nonce);

    /**
     * The proof for one request to a network whose record the joiner has read (credentials derived
     * from a passphrase need its salt). The default uses the network's name only.
     */
    default byte[] proofFor(NetworkRecord network, String node, byte[] publicKey, byte[] nonce) {
        return proofFor(network.network(), node, publicKey, nonce);
    }
}
