package dev.meshjoin.core;

import dev.meshjoin.api.secret.SecretCodec;

/**
 * Makes the codec that seals a network's secrets at rest, given the network's random salt (kept in
 * the network record), so keys derived from a passphrase differ between networks.
 */
@FunctionalInterface
public interface SecretCodecFactory {
    SecretCodec forNetwork(byte[] networkSalt);
}
