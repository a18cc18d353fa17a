package dev.meshjoin.api.secret;

import dev.meshjoin.api.ConfigurationException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * A secret read by {@link SecretSource}: its UTF-8 bytes and where it came from, never shown.
 *
 * <p>{@link #toString()} names the origin only, so a secret that reaches a log line or an
 * exception message by mistake shows {@code MESH_SECRET_FILE (/run/secrets/mesh)}, not its value.
 */
public final class SecretValue {
    private final byte[] bytes;
    private final String origin;
    private final List<String> warnings;

    SecretValue(byte[] bytes, String origin, List<String> warnings) {
        this.bytes = bytes;
        this.origin = origin;
        this.warnings = List.copyOf(warnings);
    }

    /** A secret given in code (a builder, a test); {@code origin} names it in messages. */
    public static SecretValue of(byte[] bytes, String origin) {
        return new SecretValue(bytes.clone(), origin, List.of());
    }

    /** A copy of the secret's bytes (UTF-8 as set, whatever the process locale). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The secret decoded as UTF-8 into a fresh array the caller may wipe.
     *
     * @throws ConfigurationException if the bytes are not valid UTF-8 (the message names the origin)
     */
    public char[] chars() {
        try {
            CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            char[] out = Arrays.copyOfRange(decoded.array(), decoded.arrayOffset(),
                    decoded.arrayOffset() + decoded.remaining());
            Arrays.fill(decoded.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new ConfigurationException(origin + " is not valid UTF-8; write the secret as UTF-8 text");
        }
    }

    /** The secret as a string, for values that end up in strings anyway (API tokens, headers). */
    public String string() {
        char[] chars = chars();
        try {
            return new String(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** The number of characters (code points) of the secret, for strength checks. */
    public int length() {
        char[] chars = chars();
        try {
            return Character.codePointCount(chars, 0, chars.length);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** Whether the secret is empty. */
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** Constant-time comparison of the two secrets' bytes. */
    public boolean sameAs(SecretValue other) {
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    /** Where the secret came from: {@code MESH_SECRET}, or {@code MESH_SECRET_FILE (/path)}. */
    public String origin() {
        return origin;
    }

    /** What the reader noticed and the operator should fix (e.g. a secret file others can read). */
    public List<String> warnings() {
        return warnings;
    }

    /** Overwrites the bytes held here; later calls see an empty secret. */
    public void wipe() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public String toString() {
        return "SecretValue[" + origin + ", redacted]";
    }
}
