package dev.meshjoin.core.signing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives of the join protocol: X25519 (Bouncy Castle's), and from the JDK HKDF-SHA256
 * (RFC 5869, built on the JDK's HMAC because Java 17 has no HKDF), AES-256-GCM,
 * PBKDF2-HMAC-SHA256 and HMAC-SHA256.
 */
final class SigningCrypto {
    static final SecureRandom RANDOM = new SecureRandom();
    static final int GCM_IV = 12;
    static final int GCM_TAG_BITS = 128;

    private SigningCrypto() {
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * X25519 of a raw little-endian private scalar and a raw public u-coordinate (RFC 7748: the top
     * bit of the u-coordinate is ignored). Bouncy Castle's, as the host keys are made: a joiner has
     * those classes loaded and compiled already, where the JDK's XDH would cost a cold JVM another
     * 50-70 ms of its own set-up. {@code X25519Properties} shows both agree.
     */
    static byte[] x25519(byte[] privateKey, byte[] publicKey) {
        if (privateKey.length != 32 || publicKey.length != 32) {
            throw new IllegalArgumentException("X25519 keys are 32 bytes");
        }
        byte[] u = publicKey.clone();
        u[31] &= 0x7f;
        byte[] shared = new byte[32];
        if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(privateKey, 0, u, 0, shared, 0)) {
            // A low-order public key gives an all-zero secret that anyone can compute.
            throw new IllegalArgumentException("the X25519 public key is of low order");
        }
        return shared;
    }

    /** A fresh X25519 key pair as raw bytes: {@code [0]} the private scalar, {@code [1]} the public key. */
    static byte[][] x25519KeyPair() {
        byte[] priv = random(32);
        priv[0] &= (byte) 248;
        priv[31] &= 127;
        priv[31] |= 64;
        return new byte[][] {priv, x25519Base(priv)};
    }

    /** X25519(k, 9): the public key of a raw private scalar. */
    static byte[] x25519Base(byte[] privateKey) {
        if (privateKey.length != 32) {
            throw new IllegalArgumentException("X25519 keys are 32 bytes");
        }
        byte[] pub = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    /** HMAC over length-prefixed fields, so no two field lists encode the same bytes. */
    static byte[] hmacFields(byte[] key, byte[]... fields) {
        byte[][] framed = new byte[fields.length * 2][];
        for (int i = 0; i < fields.length; i++) {
            framed[2 * i] = ByteBuffer.allocate(4).putInt(fields[i].length).array();
            framed[2 * i + 1] = fields[i];
        }
        return hmac(key, framed);
    }

    /** HKDF-SHA256 extract-and-expand (RFC 5869). */
    static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) {
        if (length > 255 * 32) {
            throw new IllegalArgumentException("HKDF output too long");
        }
        byte[] prk = hmac(salt == null || salt.length == 0 ? new byte[32] : salt, ikm);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            t = hmac(prk, t, info, new byte[] {(byte) i});
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        Arrays.fill(prk, (byte) 0);
        return out;
    }

    /**
     * PBKDF2-HMAC-SHA256 to 32 bytes (RFC 8018, one block), the password encoded as UTF-8 exactly as
     * the JDK's {@code PBKDF2WithHmacSHA256} encodes it (so both give the same key). Written on the
     * JDK's SHA-256 with the HMAC pads hashed once and each round's two hashes resumed from copies of
     * those states: per round that is two compressions in the JDK's SHA-256 intrinsic (SHA-NI where
     * the CPU has it) and no key schedule. It takes about a quarter of Bouncy Castle's time once
     * compiled, and no longer than either in a fresh JVM, where a joiner derives it once.
     */
    static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("PBKDF2 needs at least one round");
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
        byte[] key = new byte[encoded.remaining()];
        encoded.get(key);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        byte[] ipad = new byte[64];
        byte[] opad = new byte[64];
        byte[] u = null;
        try {
            if (key.length > 64) {
                byte[] hashed = MessageDigest.getInstance("SHA-256").digest(key);
                Arrays.fill(key, (byte) 0);
                key = hashed;
            }
            for (int i = 0; i < 64; i++) {
                byte k = i < key.length ? key[i] : 0;
                ipad[i] = (byte) (k ^ 0x36);
                opad[i] = (byte) (k ^ 0x5c);
            }
            MessageDigest inner = MessageDigest.getInstance("SHA-256");
            inner.update(ipad);
            MessageDigest outer = MessageDigest.getInstance("SHA-256");
            outer.update(opad);
            MessageDigest h = (MessageDigest) inner.clone();
            h.update(salt);
            h.update(new byte[] {0, 0, 0, 1}); // the block index: 32 bytes are one block
            u = h.digest();
            h = (MessageDigest) outer.clone();
            h.update(u);
            h.digest(u, 0, 32);
            byte[] t = u.clone();
            for (int n = 1; n < iterations; n++) {
                h = (MessageDigest) inner.clone();
                h.update(u);
                h.digest(u, 0, 32);
                h = (MessageDigest) outer.clone();
                h.update(u);
                h.digest(u, 0, 32);
                for (int j = 0; j < 32; j++) {
                    t[j] ^= u[j];
                }
            }
            return t;
        } catch (GeneralSecurityException | CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 is always available and cloneable", e);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(ipad, (byte) 0);
            Arrays.fill(opad, (byte) 0);
            if (u != null) {
                Arrays.fill(u, (byte) 0);
            }
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** AES-256-GCM with a random IV; the result is {@code iv || ciphertext || tag}. */
    static byte[] seal(byte[] key, byte[] plaintext, byte[] aad) {
        try {
            byte[] iv = random(GCM_IV);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(GCM_TAG_BITS, iv));
            c.updateAAD(aad);
            byte[] ct = c.doFinal(plaintext);
            return ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    /**
     * Opens {@link #seal} output.
     *
     * @throws AEADBadTagException when it does not authenticate (wrong key, tampered, truncated)
     */
    static byte[] open(byte[] key, byte[] sealed, byte[] aad) throws AEADBadTagException {
        if (sealed.length < GCM_IV + GCM_TAG_BITS / 8) {
            throw new AEADBadTagException("sealed value too short");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(GCM_TAG_BITS, sealed, 0, GCM_IV));
            c.updateAAD(aad);
            return c.doFinal(sealed, GCM_IV, sealed.length - GCM_IV);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new AEADBadTagException("cannot open: " + e.getMessage());
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
