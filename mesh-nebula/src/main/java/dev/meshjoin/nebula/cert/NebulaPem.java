package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.InvalidCertificateException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM with Nebula's own banners and key layouts, as {@code nebula-cert} reads and writes them:
 * base64 wrapped at 64 columns between {@code -----BEGIN <banner>-----} and
 * {@code -----END <banner>-----} lines, each ending in a newline.
 *
 * <ul>
 *   <li>{@value #CERTIFICATE}: a marshalled v1 certificate; a CA bundle is several in a row</li>
 *   <li>{@value #X25519_PRIVATE_KEY} / {@value #X25519_PUBLIC_KEY}: a host's raw 32-byte keys</li>
 *   <li>{@value #ED25519_PRIVATE_KEY}: a CA key, 64 bytes (32-byte seed then 32-byte public key)</li>
 * </ul>
 *
 * <pre>{@code
 * HostKeyPair keys = X25519.generate();
 * Files.write(keyFile, NebulaPem.encodeX25519PrivateKey(keys.privateKey()));
 * byte[] pub = NebulaPem.decodeX25519PublicKey(Files.readAllBytes(pubFile));
 * }</pre>
 *
 * Decoding refuses anything else with {@link InvalidCertificateException} ({@code MALFORMED}).
 */
public final class NebulaPem {
    public static final String CERTIFICATE = "NEBULA CERTIFICATE";
    public static final String X25519_PRIVATE_KEY = "NEBULA X25519 PRIVATE KEY";
    public static final String X25519_PUBLIC_KEY = "NEBULA X25519 PUBLIC KEY";
    public static final String ED25519_PRIVATE_KEY = "NEBULA ED25519 PRIVATE KEY";

    private static final int KEY_LENGTH = 32;

    /** One decoded PEM block. */
    public record Block(String banner, byte[] bytes) {
        public Block {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Block b && banner.equals(b.banner) && java.util.Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return banner.hashCode() * 31 + java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Block[" + banner + ", " + bytes.length + " bytes]";
        }
    }

    private NebulaPem() {
    }

    /** Encodes bytes under a banner exactly as Go's {@code pem.EncodeToMemory} does. */
    public static byte[] encode(String banner, byte[] bytes) {
        String b64 = Base64.getEncoder().encodeToString(bytes);
        StringBuilder sb = new StringBuilder(b64.length() + 80);
        sb.append("-----BEGIN ").append(banner).append("-----\n");
        for (int i = 0; i < b64.length(); i += 64) {
            sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        sb.append("-----END ").append(banner).append("-----\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Decodes every PEM block in the text, in order. Text outside blocks is ignored, as Go's
     * decoder does; a block that starts but does not end, or holds invalid base64, is refused.
     */
    public static List<Block> decodeAll(byte[] pem) {
        String text = new String(pem, StandardCharsets.ISO_8859_1);
        List<Block> blocks = new ArrayList<>();
        int pos = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", pos);
            if (begin < 0) {
                return blocks;
            }
            int bannerEnd = text.indexOf("-----", begin + 11);
            int lineEnd = text.indexOf('\n', begin);
            if (bannerEnd < 0 || (lineEnd >= 0 && bannerEnd > lineEnd)) {
                throw Proto.malformed("a PEM BEGIN line is not closed with -----");
            }
            String banner = text.substring(begin + 11, bannerEnd);
            String endLine = "-----END " + banner + "-----";
            int end = text.indexOf(endLine, bannerEnd + 5);
            if (end < 0) {
                throw Proto.malformed("the PEM block '" + printable(banner) + "' has no END line");
            }
            String body = text.substring(bannerEnd + 5, end);
            if (body.indexOf(':') >= 0) {
                throw Proto.malformed("the PEM block '" + printable(banner) + "' has headers; Nebula PEM has none");
            }
            String b64 = body.replaceAll("[ \\t\\r\\n]", "");
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw Proto.malformed("the PEM block '" + printable(banner) + "' is not valid base64");
            }
            blocks.add(new Block(banner, bytes));
            pos = end + endLine.length();
        }
    }

    /** Decodes the first block, which must carry {@code banner}. */
    public static byte[] decode(String banner, byte[] pem) {
        List<Block> blocks = decodeAll(pem);
        if (blocks.isEmpty()) {
            throw Proto.malformed("no PEM block found; expected " + banner);
        }
        Block first = blocks.get(0);
        if (!first.banner().equals(banner)) {
            throw Proto.malformed("expected a " + banner + " PEM block, found " + printable(first.banner()));
        }
        return first.bytes();
    }

    public static byte[] encodeX25519PrivateKey(byte[] key) {
        return encode(X25519_PRIVATE_KEY, requireLength(key, KEY_LENGTH, "an X25519 private key"));
    }

    public static byte[] encodeX25519PublicKey(byte[] key) {
        return encode(X25519_PUBLIC_KEY, requireLength(key, KEY_LENGTH, "an X25519 public key"));
    }

    /** Encodes a CA key in Nebula's 64-byte layout: seed then public key. */
    public static byte[] encodeEd25519PrivateKey(byte[] seedAndPublicKey) {
        return encode(ED25519_PRIVATE_KEY, requireLength(seedAndPublicKey, 2 * KEY_LENGTH, "an Ed25519 private key"));
    }

    public static byte[] decodeX25519PrivateKey(byte[] pem) {
        return requireLength(decode(X25519_PRIVATE_KEY, pem), KEY_LENGTH, "an X25519 private key");
    }

    public static byte[] decodeX25519PublicKey(byte[] pem) {
        return requireLength(decode(X25519_PUBLIC_KEY, pem), KEY_LENGTH, "an X25519 public key");
    }

    /** Decodes a CA key: 64 bytes, seed then public key. */
    public static byte[] decodeEd25519PrivateKey(byte[] pem) {
        return requireLength(decode(ED25519_PRIVATE_KEY, pem), 2 * KEY_LENGTH, "an Ed25519 private key");
    }

    private static byte[] requireLength(byte[] key, int length, String what) {
        if (key.length != length) {
            throw Proto.malformed(what + " must be " + length + " bytes, got " + key.length);
        }
        return key;
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
