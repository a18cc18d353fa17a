package dev.meshjoin.api.join;

/**
 * Produces the credential a joining node attaches to its request: a proof bound to the request's
 * content (so it cannot be lifted onto another request), never a secret itself.
 */
@FunctionalInterface
public interface JoinCredentials {

    /**
     * The proof for one request.
     *
     * @param network the network as its record describes it (credentials derived from a secret need its salt)
     * @param node the joining node's name
     * @param publicKey the key the request asks to have certified
     * @param nonce the request's fresh nonce
     */
    byte[] proofFor(JoinNetwork network, String node, byte[] publicKey, byte[] nonce);

    /**
     * The joiner has found the network it is about to join: a credential may start slow work now,
     * in the background (a key derivation from a secret), so that {@link #proofFor} waits for less
     * of it. The default does nothing.
     */
    default void deriveAhead(JoinNetwork network) {
    }

    /**
     * A lighthouse refused this node's proof as a bad credential. A credential that made the proof
     * from something it had kept (a derivation cached on disk, say) drops it and returns true: the
     * joiner then asks once more with a proof made afresh. The default keeps nothing and returns false.
     */
    default boolean refused(JoinNetwork network) {
        return false;
    }
}
