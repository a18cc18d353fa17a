/**
 * Secrets at rest: the codecs that seal values before they reach a
 * {@link dev.meshjoin.api.store.BootstrapStore}.
 *
 * <ul>
 *   <li>{@link dev.meshjoin.core.secret.DefaultSecretCodec} — AES-256-GCM in a versioned envelope,
 *       keys from a {@link dev.meshjoin.core.secret.SecretKeyring} (raw keys or Argon2id from the
 *       network passphrase and a per-network random salt); the store key is bound as associated
 *       data.</li>
 *   <li>{@link dev.meshjoin.core.secret.FernetCodec} — the Fernet token format, exact to its
 *       specification, to share values with fleets that still run the original Python code.</li>
 *   <li>{@link dev.meshjoin.core.secret.SecretCodecs} — codecs by name ({@code default},
 *       {@code fernet}, {@code fernet-legacy}).</li>
 *   <li>{@link dev.meshjoin.core.secret.Resealer} — migrates a store's values to the newest key.</li>
 * </ul>
 */
package dev.meshjoin.core.secret;
