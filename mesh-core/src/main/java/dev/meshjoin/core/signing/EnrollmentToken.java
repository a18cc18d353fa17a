package dev.meshjoin.core.signing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An enrollment token as the operator hands it to a worker: {@code mjt2.<id>.<secret>.<ca>}, where
 * the id (16 hex digits) names its record in the store, the secret is 32 random bytes (base64url)
 * and {@code ca} is the network CA's fingerprint, so that holding the token is holding the pin: the
 * joiner trusts no store record that CA did not sign. Tokens of older versions, {@code
 * mjt1.<id>.<secret>}, carry no pin and are accepted only by a node given the CA fingerprint
 * another way. Shown once when created; the store keeps only its hash. {@link #toString()} shows
 * the id only.
 *
 * @param id the public id
 * @param text the whole token, secret included
 */
public record EnrollmentToken(String id, String text) {
    private static final Pattern FORMAT = Pattern.compile(
            "mjt([12])\\.([0-9a-f]{16})\\.([A-Za-z0-9_-]{43})(?:\\.([0-9a-f]{16,128}))?");
    private static final int MAX_LENGTH = 220;

    public EnrollmentToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
    }

    /** A fresh random token pinning the CA with this fingerprint. */
    static EnrollmentToken generate(String caFingerprint) {
        String id = HexFormat.of().formatHex(SigningCrypto.random(8));
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(SigningCrypto.random(32));
        return new EnrollmentToken(id, "mjt2." + id + "." + secret + "." + caFingerprint);
    }

    /** The CA fingerprint the token pins; empty for a token of an older version ({@code mjt1.}). */
    public Optional<String> caFingerprint() {
        Parsed p = parse(text);
        return p == null ? Optional.empty() : Optional.ofNullable(p.caFingerprint());
    }

    /**
     * Reads a token as given by an operator.
     *
     * @throws IllegalArgumentException when it is not one (the message never repeats the text)
     */
    public static EnrollmentToken of(String text) {
        Parsed p = parse(text == null ? "" : text.strip());
        if (p == null) {
            throw new IllegalArgumentException("not an enrollment token: expected mjt2.<16 hex digits>.<43 base64url "
                    + "characters>.<CA fingerprint>, as printed by 'meshctl token create' (or mjt1.<16 hex digits>.<43"
                    + " base64url characters> from an older version, which needs the CA fingerprint beside it)");
        }
        return new EnrollmentToken(p.id(), text.strip());
    }

    /** The hash the store keeps. */
    String hash() {
        return HexFormat.of().formatHex(SigningCrypto.sha256(text.getBytes(StandardCharsets.US_ASCII)));
    }

    /** @param caFingerprint null for an {@code mjt1.} token */
    record Parsed(String id, String caFingerprint) {
    }

    static Parsed parse(String text) {
        if (text.length() > MAX_LENGTH) {
            return null;
        }
        Matcher m = FORMAT.matcher(text);
        if (!m.matches() || m.group(1).equals("1") != (m.group(4) == null)) {
            return null;
        }
        return new Parsed(m.group(2), m.group(4));
    }

    @Override
    public String toString() {
        return "EnrollmentToken[" + id + ", secret redacted]";
    }
}
