package dev.meshjoin.core.signing;

import dev.meshjoin.api.join.JoinNetwork;

/**
 * A joiner's credential from an enrollment token. The token travels only inside the sealed part
 * of the request, which only the lighthouse's signing service can open; the lighthouse compares its
 * hash with the stored one and consumes a use.
 *
 * <pre>{@code
 * MeshNode.builder().credentials(new EnrollmentTokenCredentials(EnrollmentToken.of(System.getenv("MESH_TOKEN"))))
 * }</pre>
 */
public final class EnrollmentTokenCredentials implements JoinCredential {
    private final EnrollmentToken token;

    public EnrollmentTokenCredentials(EnrollmentToken token) {
        this.token = token;
    }

    @Override
    public byte[] proofFor(JoinNetwork network, String node, byte[] publicKey, byte[] nonce) {
        return Credential.token(token.text());
    }

    /** The CA the token pins; empty for a token of an older version. */
    public java.util.Optional<String> caFingerprint() {
        return token.caFingerprint();
    }

    @Override
    public String toString() {
        return "EnrollmentTokenCredentials[" + token.id() + ", secret redacted]";
    }
}
