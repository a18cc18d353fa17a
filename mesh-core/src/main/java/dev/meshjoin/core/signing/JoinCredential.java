package dev.meshjoin.core.signing;

import dev.meshjoin.api.join.JoinCredentials;

/**
 * The credentials meshjoin ships, and only these: the network secret every member knows, or an
 * enrollment token an operator handed out. A switch over them is exhaustive.
 *
 * <pre>{@code
 * JoinCredential c = token == null ? JoinCredential.networkSecret(secret) : JoinCredential.enrollmentToken(token);
 * }</pre>
 */
public sealed interface JoinCredential extends JoinCredentials permits NetworkSecretCredentials, EnrollmentTokenCredentials {

    /** A proof of the network secret (at least 16 characters); the secret is never sent. */
    static JoinCredential networkSecret(char[] secret) {
        return new NetworkSecretCredentials(secret);
    }

    /** An enrollment token as {@code meshctl token create} printed it. */
    static JoinCredential enrollmentToken(String token) {
        return new EnrollmentTokenCredentials(EnrollmentToken.of(token));
    }
}
