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
}
