package dev.meshjoin.cli;

import dev.meshjoin.core.join.JoinCredentials;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokenCredentials;
import dev.meshjoin.core.signing.NetworkSecretCredentials;

/**
 * How {@code meshctl up} proves its right to join: an enrollment token when one is given
 * ({@code --token}, else {@code MESH_TOKEN}), else the network secret ({@code MESH_SECRET}). A node
 * with a token needs no network secret, so an operator can hand a worker a token that admits a few
 * joins for a day instead of the secret every member shares.
 */
final class UpCredentials {
    private UpCredentials() {
    }

    /**
     * @param flag the {@code --token} value or null
     * @param env the {@code MESH_TOKEN} value or null
     * @param secret the {@code MESH_SECRET} value or null
     */
    static JoinCredentials of(String flag, String env, String secret) {
        String token = flag != null && !flag.isBlank() ? flag : env != null && !env.isBlank() ? env : null;
        if (token != null) {
            if (flag != null && env != null && !env.isBlank() && !flag.strip().equals(env.strip())) {
                throw new CliException("up: --token and MESH_TOKEN are both set and differ; give one", ExitStatus.USAGE);
            }
            try {
                return new EnrollmentTokenCredentials(EnrollmentToken.of(token));
            } catch (IllegalArgumentException e) {
                throw new CliException("up: " + (flag != null ? "--token" : "MESH_TOKEN") + " is " + e.getMessage(),
                        ExitStatus.USAGE);
            }
        }
        if (secret == null || secret.isEmpty()) {
            throw new CliException("up: set the network secret in the environment variable MESH_SECRET,"
                    + " or an enrollment token in MESH_TOKEN (meshctl token create)");
        }
        return new NetworkSecretCredentials(secret.toCharArray());
    }
}
