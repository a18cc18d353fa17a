package dev.meshjoin.api.join;

import dev.meshjoin.api.secret.SecretCodec;

/**
 * Makes the codec that seals a network's secrets at rest (the CA key, the network secret's
 * verifier), given the network's random salt (kept in the network record), so keys derived from
 * a passphrase differ between networks. meshjoin's default is {@code SecretCodecs.passphrase(char[])}
 * in mesh-core.
 */
@FunctionalInterface
public interface SecretCodecFactory {
    /** The codec for the network with this salt. */
    SecretCodec forNetwork(byte[] networkSalt);
}
