package dev.meshjoin.cli;

import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokenCredentials;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import java.util.Optional;

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
     * @param env {@code MESH_TOKEN} or {@code MESH_TOKEN_FILE}, when set and not empty
     * @param secret the network secret ({@code MESH_SECRET} or {@code MESH_SECRET_FILE}) or null
     */
    static JoinCredentials of(String flag, Optional<SecretValue> env, char[] secret) {
        boolean fromFlag = flag != null && !flag.isBlank();
        if (fromFlag || env.isPresent()) {
            String token = fromFlag ? flag.strip() : env.get().string().strip();
            if (fromFlag && env.isPresent() && !token.equals(env.get().string().strip())) {
                throw new CliException("up: --token and " + env.get().origin() + " are both set and differ; give one",
                        ExitStatus.USAGE);
            }
            try {
                return new EnrollmentTokenCredentials(EnrollmentToken.of(token));
            } catch (IllegalArgumentException e) {
                throw new CliException("up: " + (fromFlag ? "--token" : env.get().origin()) + " is " + e.getMessage(),
                        ExitStatus.USAGE);
            }
        }
        if (secret == null || secret.length == 0) {
            throw new CliException("up: set the network secret in the environment variable MESH_SECRET (or a file"
                    + " named by MESH_SECRET_FILE), or an enrollment token in MESH_TOKEN (meshctl token create)");
        }
        return new NetworkSecretCredentials(secret);
    }
}
