package dev.meshjoin.core.secret;

import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.secret.SecretCodec;
import java.util.List;
import java.util.Locale;

/**
 * Codecs by name, as configuration and {@code meshctl secret} name them.
 *
 * <ul>
 *   <li>{@code default} — {@link DefaultSecretCodec} with a key derived from the passphrase and the
 *       network's salt (Argon2id).</li>
 *   <li>{@code fernet} — {@link FernetCodec} whose "passphrase" is one or more Fernet keys (urlsafe
 *       base64 of 32 bytes) separated by commas; the first seals. Associated data is refused.</li>
 *   <li>{@code fernet-legacy} — {@link FernetCodec} with the key the original derived from its
 *       passphrase ({@link FernetCodec#legacyKey(char[])}), and associated data ignored, because the
 *       original never bound values to their store keys.</li>
 * </ul>
 *
 * <pre>{@code
 * SecretCodec codec = SecretCodecs.create("fernet-legacy", System.getenv("VPN_ENCRYPTION_KEY").toCharArray(), null);
 * }</pre>
 */
public final class SecretCodecs {
    /** Every name {@link #create} accepts. */
    public static final List<String> NAMES = List.of(DefaultSecretCodec.NAME, FernetCodec.NAME, FernetCodec.LEGACY_NAME);

    private SecretCodecs() {
    }

    /**
     * The codec called {@code name}.
     *
     * @param passphrase the network secret (for {@code fernet}: the Fernet keys, comma-separated)
     * @param salt the network's salt; required by {@code default}, ignored by the Fernet codecs
     * @throws ConfigurationException for an unknown name, a missing salt or a malformed key
     */
    public static SecretCodec create(String name, char[] passphrase, byte[] salt) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        if (passphrase == null || passphrase.length == 0) {
            throw new ConfigurationException("the " + n + " codec needs a non-empty passphrase");
        }
        try {
            switch (n) {
                case DefaultSecretCodec.NAME:
                    if (salt == null) {
                        throw new ConfigurationException("the default codec needs the network's salt "
                                + "(make one with SecretKeyring.newSalt() when the network is founded)");
                    }
                    return new DefaultSecretCodec(SecretKeyring.ofPassphrase(passphrase, salt));
                case FernetCodec.NAME: {
                    FernetCodec.Builder b = FernetCodec.builder();
                    String[] keys = new String(passphrase).split(",");
                    b.current(keys[0]);
                    for (int i = 1; i < keys.length; i++) {
                        b.previous(keys[i]);
                    }
                    return b.build();
                }
                case FernetCodec.LEGACY_NAME:
                    return FernetCodec.builder().name(FernetCodec.LEGACY_NAME)
                            .current(FernetCodec.legacyKey(passphrase)).unboundAssociatedData().build();
                default:
                    throw new ConfigurationException("unknown secret codec '" + name + "'; use one of " + NAMES);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("the " + n + " codec: " + e.getMessage(), e);
        }
    }

    /** The shortest passphrase {@link #passphrase} accepts, as for the network secret. */
    public static final int MIN_PASSPHRASE_LENGTH = 16;

    /**
     * The default codec factory (AES-256-GCM, key derived with Argon2id from the passphrase and the
     * network's salt). The passphrase array is copied; the caller may clear its own. It must be at
     * least {@value #MIN_PASSPHRASE_LENGTH} characters: whoever reads the store can try passphrases
     * against the sealed CA key offline.
     *
     * <pre>{@code
     * builder.caKeyCodec(SecretCodecs.passphrase(System.getenv("MESH_CA_PASSPHRASE").toCharArray()));
     * }</pre>
     */
    public static SecretCodecFactory passphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new ConfigurationException("an empty passphrase would seal nothing; set a strong one");
        }
        int length = Character.codePointCount(passphrase, 0, passphrase.length);
        if (length < MIN_PASSPHRASE_LENGTH) {
            throw new ConfigurationException("the CA passphrase is " + length + " characters; it must"
                    + " be at least " + MIN_PASSPHRASE_LENGTH + ", since whoever reads the store can guess it offline"
                    + " against the sealed CA key (a random one: openssl rand -base64 32, or a key file given as"
                    + " MESH_CA_PASSPHRASE_FILE)");
        }
        char[] copy = passphrase.clone();
        return salt -> new DefaultSecretCodec(SecretKeyring.ofPassphrase(copy, salt));
    }
}
