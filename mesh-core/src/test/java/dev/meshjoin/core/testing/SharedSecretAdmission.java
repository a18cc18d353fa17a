package dev.meshjoin.core.testing;

import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.api.join.JoinRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * <b>Test double</b> for in-JVM harness tests: admits requests whose credential is an HMAC-SHA256,
 * under a shared secret, of the request's network, node, public key and nonce, and allows a fixed
 * set of groups. It has no replay protection or rate limits; the signing service's own admission
 * does that in production.
 */
public final class SharedSecretAdmission implements Admission, JoinCredentials, dev.meshjoin.core.trust.MacKeySource {
    private final byte[] secret;
    private final List<String> allowedGroups;

    public SharedSecretAdmission(String secret, List<String> allowedGroups) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("an empty secret would admit anyone");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.allowedGroups = List.copyOf(allowedGroups);
    }

    /** Every harness node holds the secret, so records carry a MAC under it (a cheap derivation: a test double). */
    @Override
    public java.util.Optional<byte[]> recordMacKey(byte[] networkSalt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update("harness record mac".getBytes(StandardCharsets.UTF_8));
            return java.util.Optional.of(mac.doFinal(networkSalt));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] proofFor(JoinNetwork network, String node, byte[] publicKey, byte[] nonce) {
        return proof(network.name(), node, publicKey, nonce);
    }

    private byte[] proof(String network, String node, byte[] publicKey, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            for (byte[] part : new byte[][] {network.getBytes(StandardCharsets.UTF_8), node.getBytes(StandardCharsets.UTF_8),
                    publicKey, nonce}) {
                mac.update(ByteBuffer.allocate(4).putInt(part.length).array());
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<String> admit(JoinRequest request, String source) {
        byte[] expected = proof(request.network(), request.node(), request.publicKey(), request.nonce());
        if (!MessageDigest.isEqual(expected, request.credential())) {
            throw new JoinRefusedException(RefusalReason.BAD_CREDENTIAL, "the join credential is not valid for this network");
        }
        return allowedGroups;
    }
}
