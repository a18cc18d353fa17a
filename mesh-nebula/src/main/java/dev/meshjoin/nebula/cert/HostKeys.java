package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 host key pairs as Nebula uses them: raw 32-byte private and public keys, the public key
 * being the private scalar times the base point (clamping happens inside the multiplication, as in
 * Go's {@code curve25519.X25519}, so keys written by {@code nebula-cert keygen} load unchanged).
 *
 * <pre>{@code
 * HostKeyPair keys = HostKeys.generate(new SecureRandom());
 * Files.write(pubFile, NebulaPem.encodeX25519PublicKey(keys.publicKey()));
 * }</pre>
 */
public final class HostKeys {
    private HostKeys() {
    }

    /** A fresh key pair from a strong random source. */
    public static HostKeyPair generate(SecureRandom random) {
        byte[] priv = new byte[X25519.SCALAR_SIZE];
        random.nextBytes(priv);
        return new HostKeyPair(publicKeyOf(priv), priv);
    }

    /** The public key belonging to a 32-byte private key. */
    public static byte[] publicKeyOf(byte[] privateKey) {
        if (privateKey.length != X25519.SCALAR_SIZE) {
            throw new InvalidCertificateException(Reason.MALFORMED,
                    "an X25519 private key must be 32 bytes, got " + privateKey.length);
        }
        byte[] pub = new byte[X25519.POINT_SIZE];
        X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    /** Reads a key pair from a {@value NebulaPem#X25519_PRIVATE_KEY} PEM block. */
    public static HostKeyPair fromPrivateKeyPem(byte[] pem) {
        byte[] priv = NebulaPem.decodeX25519PrivateKey(pem);
        return new HostKeyPair(publicKeyOf(priv), priv);
    }
}
