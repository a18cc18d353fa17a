package dev.meshjoin.core.signing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The credential bytes a join request carries (inside the sealed part): either a proof made with
 * the network secret ({@code 0x01 || HMAC}) or an enrollment token ({@code 0x02 || token}).
 */
final class Credential {
    static final byte SECRET_PROOF = 1;
    static final byte TOKEN = 2;
    static final String NETWORK_SECRET_ID = "network-secret";
    private static final Pattern TOKEN_ID = Pattern.compile("[0-9a-f]{16}");

    private Credential() {
    }

    static byte[] secretProof(byte[] mac) {
        byte[] out = new byte[1 + mac.length];
        out[0] = SECRET_PROOF;
        System.arraycopy(mac, 0, out, 1, mac.length);
        return out;
    }

    static byte[] token(String token) {
        byte[] t = token.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + t.length];
        out[0] = TOKEN;
        System.arraycopy(t, 0, out, 1, t.length);
        return out;
    }

    /**
     * The credential's public id for rate limits and the audit log: {@code network-secret},
     * {@code token:<id>}, or {@code none} when it is not a credential at all. Never secret.
     */
    static String idOf(byte[] credential) {
        if (credential.length == 33 && credential[0] == SECRET_PROOF) {
            return NETWORK_SECRET_ID;
        }
        if (credential.length > 1 && credential[0] == TOKEN) {
            EnrollmentToken.Parsed p = EnrollmentToken.parse(new String(credential, 1, credential.length - 1,
                    StandardCharsets.US_ASCII));
            return p == null ? "none" : "token:" + p.id();
        }
        return "none";
    }

    static boolean isTokenId(String id) {
        return id != null && TOKEN_ID.matcher(id).matches();
    }

    static byte[] body(byte[] credential) {
        return Arrays.copyOfRange(credential, 1, credential.length);
    }
}
