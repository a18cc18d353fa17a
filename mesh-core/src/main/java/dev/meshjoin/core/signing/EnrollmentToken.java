package dev.meshjoin.core.signing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An enrollment token as the operator hands it to a worker: {@code mjt1.<id>.<secret>}, where the
 * id (16 hex digits) names its record in the store and the secret is 32 random bytes (base64url).
 * Shown once when created; the store keeps only its hash. {@link #toString()} shows the id only.
 *
 * @param id the public id
 * @param text the whole token, secret included
 */
public record EnrollmentToken(String id, String text) {
    private static final Pattern FORMAT = Pattern.compile("mjt1\\.([0-9a-f]{16})\\.([A-Za-z0-9_-]{43})");

    public EnrollmentToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
    }

    /** A fresh random token. */
    static EnrollmentToken generate() {
        String id = HexFormat.of().formatHex(SigningCrypto.random(8));
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(SigningCrypto.random(32));
        return new EnrollmentToken(id, "mjt1." + id + "." + secret);
    }

    /**
     * Reads a token as given by an operator.
     *
     * @throws IllegalArgumentException when it is not one (the message never repeats the text)
     */
    public static EnrollmentToken of(String text) {
        Parsed p = parse(text == null ? "" : text.strip());
        if (p == null) {
            throw new IllegalArgumentException("not an enrollment token: expected mjt1.<16 hex digits>.<43 base64url "
                    + "characters>, as printed by 'meshctl token create'");
        }
        return new EnrollmentToken(p.id(), text.strip());
    }

    /** The hash the store keeps. */
    String hash() {
        return HexFormat.of().formatHex(SigningCrypto.sha256(text.getBytes(StandardCharsets.US_ASCII)));
    }

    record Parsed(String id) {
    }

    static Parsed parse(String text) {
        if (text.length() > 80) {
            return null;
        }
        Matcher m = FORMAT.matcher(text);
        return m.matches() ? new Parsed(m.group(1)) : null;
    }

    @Override
    public String toString() {
        return "EnrollmentToken[" + id + ", secret redacted]";
    }
}
