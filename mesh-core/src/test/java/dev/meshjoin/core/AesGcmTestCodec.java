package dev.meshjoin.core;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Test double of a codec for core tests: AES-GCM under a key chosen by the test, salt ignored. */
public final class AesGcmTestCodec implements SecretCodec {
    private final byte[] key;

    AesGcmTestCodec(byte[] key) {
        this.key = key.clone();
    }

    public static AesGcmTestCodec random() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new AesGcmTestCodec(k);
    }

    @Override
    public String name() {
        return "aes-gcm-test";
    }

    @Override
    public String currentKeyId() {
        return "test";
    }

    @Override
    public byte[] seal(byte[] plaintext, byte[] aad) {
        try {
            byte[] nonce = new byte[12];
            new SecureRandom().nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad);
            byte[] ct = c.doFinal(plaintext);
            return ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] open(byte[] sealed, byte[] aad) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
            c.updateAAD(aad);
            return c.doFinal(sealed, 12, sealed.length - 12);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretCodecException("cannot open the value: wrong key or tampered", e);
        }
    }

    @Override
    public String keyIdOf(byte[] sealed) {
        return "test";
    }
}
