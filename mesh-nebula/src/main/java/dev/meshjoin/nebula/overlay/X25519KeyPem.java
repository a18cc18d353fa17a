package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Nebula's PEM form of a host's X25519 private key, as {@code nebula-cert keygen} writes it: the
 * raw 32 key bytes in base64 between {@code -----BEGIN NEBULA X25519 PRIVATE KEY-----} and the
 * matching END line. The driver writes a node's key in this form to {@code pki.key}.
 *
 * <pre>{@code
 * byte[] pem = X25519KeyPem.encodePrivateKey(keys.privateKey());
 * }</pre>
 */
public final class X25519KeyPem {
    /** The PEM type of a Nebula X25519 private key. */
    public static final String PRIVATE_KEY_TYPE = "NEBULA X25519 PRIVATE KEY";
    /** Raw X25519 private key length. */
    public static final int KEY_LENGTH = 32;

    private static final String BEGIN = "-----BEGIN " + PRIVATE_KEY_TYPE + "-----";
    private static final String END = "-----END " + PRIVATE_KEY_TYPE + "-----";

    private X25519KeyPem() {
    }

    /**
     * Encodes a raw 32-byte private key. The returned array holds the secret: the caller writes
     * it where it belongs and clears it.
     *
     * @throws ConfigurationException when the key is not 32 bytes
     */
    public static byte[] encodePrivateKey(byte[] raw) {
        if (raw == null || raw.length != KEY_LENGTH) {
            throw new ConfigurationException("an X25519 private key has " + KEY_LENGTH + " bytes, got "
                    + (raw == null ? "none" : raw.length + ""));
        }
        String body = Base64.getEncoder().encodeToString(raw);
        return (BEGIN + "\n" + body + "\n" + END + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Decodes the first Nebula X25519 private key block of a PEM text.
     *
     * @throws ConfigurationException when there is no such block or it does not hold 32 bytes
     */
    public static byte[] decodePrivateKey(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf(BEGIN);
        int end = begin < 0 ? -1 : text.indexOf(END, begin);
        if (begin < 0 || end < 0) {
            throw new ConfigurationException("no '" + BEGIN + "' block found; is this a Nebula host key?");
        }
        String body = text.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("the Nebula host key block is not valid base64");
        }
        if (raw.length != KEY_LENGTH) {
            Arrays.fill(raw, (byte) 0);
            throw new ConfigurationException("the Nebula host key block holds " + raw.length + " bytes, not " + KEY_LENGTH);
        }
        return raw;
    }
}
