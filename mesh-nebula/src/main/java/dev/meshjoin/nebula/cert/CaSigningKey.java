package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A CA's Ed25519 signing key in Nebula's layout: the 32-byte seed followed by the 32-byte public
 * key, 64 bytes in all, as {@code nebula-cert ca} writes it under {@value NebulaPem#ED25519_PRIVATE_KEY}.
 * Never printed: {@link #toString()} shows only the public half.
 *
 * <pre>{@code
 * CaSigningKey key = CaSigningKey.generate(new SecureRandom());
 * byte[] sig = key.sign(details);
 * CaSigningKey.verify(key.publicKey(), details, sig); // true
 * }</pre>
 */
public final class CaSigningKey {
    /** Length of a seed, a public key. */
    public static final int KEY_LENGTH = 32;
    /** Length of a signature. */
    public static final int SIGNATURE_LENGTH = 64;

    private final byte[] seed;
    private final byte[] publicKey;

    private CaSigningKey(byte[] seed, byte[] publicKey) {
        this.seed = seed;
        this.publicKey = publicKey;
    }

    /** A fresh key from a strong random source. */
    public static CaSigningKey generate(SecureRandom random) {
        byte[] seed = new byte[KEY_LENGTH];
        random.nextBytes(seed);
        return fromSeed(seed);
    }

    /** The key with this 32-byte seed. */
    public static CaSigningKey fromSeed(byte[] seed) {
        if (seed.length != KEY_LENGTH) {
            throw new InvalidCertificateException(Reason.MALFORMED, "an Ed25519 seed must be 32 bytes, got " + seed.length);
        }
        byte[] pub = new byte[KEY_LENGTH];
        Ed25519.generatePublicKey(seed, 0, pub, 0);
        return new CaSigningKey(seed.clone(), pub);
    }

    /**
     * The key from Nebula's 64-byte form, refusing one whose public half does not belong to its seed
     * (a corrupted or spliced key file).
     */
    public static CaSigningKey fromNebulaBytes(byte[] seedAndPublicKey) {
        if (seedAndPublicKey.length != 2 * KEY_LENGTH) {
            throw new InvalidCertificateException(Reason.MALFORMED,
                    "a Nebula Ed25519 private key must be 64 bytes, got " + seedAndPublicKey.length);
        }
        CaSigningKey key = fromSeed(Arrays.copyOfRange(seedAndPublicKey, 0, KEY_LENGTH));
        if (!MessageDigest.isEqual(key.publicKey, Arrays.copyOfRange(seedAndPublicKey, KEY_LENGTH, 2 * KEY_LENGTH))) {
            throw new InvalidCertificateException(Reason.KEY_MISMATCH,
                    "the Ed25519 private key is corrupt: its public half does not belong to its seed");
        }
        return key;
    }

    /** Reads a {@value NebulaPem#ED25519_PRIVATE_KEY} PEM block. */
    public static CaSigningKey fromPem(byte[] pem) {
        return fromNebulaBytes(NebulaPem.decodeEd25519PrivateKey(pem));
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Nebula's 64-byte form, seed then public key. Handle with care: it is the secret. */
    public byte[] toNebulaBytes() {
        byte[] out = new byte[2 * KEY_LENGTH];
        System.arraycopy(seed, 0, out, 0, KEY_LENGTH);
        System.arraycopy(publicKey, 0, out, KEY_LENGTH, KEY_LENGTH);
        return out;
    }

    /** The PEM text {@code nebula-cert} reads as {@code -ca-key}. */
    public byte[] toPem() {
        byte[] raw = toNebulaBytes();
        try {
            return NebulaPem.encodeEd25519PrivateKey(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Signs a message (pure Ed25519, RFC 8032). */
    public byte[] sign(byte[] message) {
        byte[] sig = new byte[SIGNATURE_LENGTH];
        Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    /** Verifies a pure Ed25519 signature; false for a wrongly sized key or signature. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    /** True when this key's public half equals {@code otherPublicKey}. */
    public boolean matches(byte[] otherPublicKey) {
        return MessageDigest.isEqual(publicKey, otherPublicKey);
    }

    @Override
    public String toString() {
        return "CaSigningKey[public " + java.util.HexFormat.of().formatHex(publicKey) + ", private redacted]";
    }
}
