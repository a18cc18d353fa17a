package dev.meshjoin.core.trust;

import java.util.Optional;

/**
 * Gives the key under which records carry a MAC: derived from the network secret and the
 * network's salt, so only holders of the secret (every member that joined with it, lighthouses
 * given it) can make or check one. Empty for a node without the secret.
 */
@FunctionalInterface
public interface MacKeySource {
    /** The 32-byte MAC key for the network with this salt, or empty. */
    Optional<byte[]> recordMacKey(byte[] networkSalt);

    /**
     * Starts making the key for this salt in the background, when making it is slow: a node
     * calls it as soon as it has read a salt, so that the derivation overlaps the record's
     * signature checks. The default does nothing.
     */
    default void prepare(byte[] networkSalt) {
    }

    /**
     * A record's MAC did not match the key: a source that made the key from something it kept (a
     * verifier kept on disk from an older secret) drops it and returns true, and the MAC is checked
     * once more with a key derived afresh. The default keeps nothing and returns false.
     */
    default boolean dropKept(byte[] networkSalt) {
        return false;
    }
}
