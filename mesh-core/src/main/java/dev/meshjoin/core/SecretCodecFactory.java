package dev.meshjoin.core;

import dev.meshjoin.api.secret.SecretCodec;

/**
 * Makes the codec that seals a network's secrets at rest, given the network's random salt (kept in
 * the network record), so keys derived from a passphrase differ between networks.
 */
@FunctionalInterface
public interface SecretCodecFactory {
    /** The shortest passphrase {@link #passphrase} accepts, as for the network secret. */
    int MIN_PASSPHRASE_LENGTH = 16;

    SecretCodec forNetwork(byte[] networkSalt);

    /**
     * The default codec (AES-256-GCM, key derived with Argon2id from the passphrase and the
     * network's salt). The passphrase array is copied; the caller may clear its own. It must be at
     * least {@value #MIN_PASSPHRASE_LENGTH} characters: whoever reads the store can try passphrases
     * against the sealed CA key offline.
     *
     * <pre>{@code
     * builder.caKeyCodec(SecretCodecFactory.passphrase(System.getenv("MESH_CA_PASSPHRASE").toCharArray()));
     * }</pre>
     */
    static SecretCodecFactory passphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new dev.meshjoin.api.ConfigurationException("an empty passphrase would seal nothing; set a strong one");
        }
        int length = Character.codePointCount(passphrase, 0, passphrase.length);
        if (length < MIN_PASSPHRASE_LENGTH) {
            throw new dev.meshjoin.api.ConfigurationException("the CA passphrase is " + length + " characters; it must"
                    + " be at least " + MIN_PASSPHRASE_LENGTH + ", since whoever reads the store can guess it offline"
                    + " against the sealed CA key (a random one: openssl rand -base64 32, or a key file given as"
                    + " MESH_CA_PASSPHRASE_FILE)");
        }
        char[] copy = passphrase.clone();
        return salt -> new dev.meshjoin.core.secret.DefaultSecretCodec(
                dev.meshjoin.core.secret.SecretKeyring.ofPassphrase(copy, salt));
    }
}
