package dev.meshjoin.core;

import dev.meshjoin.api.secret.SecretCodec;

/**
 * Makes the codec that seals a network's secrets at rest, given the network's random salt (kept in
 * the network record), so keys derived from a passphrase differ between networks.
 */
@FunctionalInterface
public interface SecretCodecFactory {
    SecretCodec forNetwork(byte[] networkSalt);

    /**
     * The default codec (AES-256-GCM, key derived with Argon2id from the passphrase and the
     * network's salt). The passphrase array is copied; the caller may clear its own.
     *
     * <pre>{@code
     * builder.caKeyCodec(SecretCodecFactory.passphrase(System.getenv("MESH_CA_PASSPHRASE").toCharArray()));
     * }</pre>
     */
    static SecretCodecFactory passphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new dev.meshjoin.api.ConfigurationException("an empty passphrase would seal nothing; set a strong one");
        }
        char[] copy = passphrase.clone();
        return salt -> new dev.meshjoin.core.secret.DefaultSecretCodec(
                dev.meshjoin.core.secret.SecretKeyring.ofPassphrase(copy, salt));
    }
}
