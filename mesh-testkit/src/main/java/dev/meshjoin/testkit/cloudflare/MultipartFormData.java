package dev.meshjoin.testkit.cloudflare;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A binary-safe reader of {@code multipart/form-data} bodies (RFC 7578), as the Workers KV write
 * endpoint accepts them: one part per form field, each with a {@code Content-Disposition} naming
 * the field. Only what that endpoint needs is supported (no nested multiparts, no encodings).
 *
 * <pre>{@code
 * Map<String, byte[]> fields = MultipartFormData.parse(contentType, body);
 * byte[] value = fields.get("value");
 * }</pre>
 */
public final class MultipartFormData {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    private MultipartFormData() {
    }

    /** The boundary parameter of a {@code multipart/form-data} content type, if it is one. */
    public static Optional<String> boundary(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("multipart/form-data")) {
            return Optional.empty();
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                return b.isEmpty() ? Optional.empty() : Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /**
     * The fields of a body, by name, in order of appearance.
     *
     * @throws IllegalArgumentException when the body is not well-formed multipart data
     */
    public static Map<String, byte[]> parse(String contentType, byte[] body) {
        String boundary = boundary(contentType)
                .orElseThrow(() -> new IllegalArgumentException("not multipart/form-data with a boundary: " + contentType));
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] partDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        Map<String, byte[]> fields = new LinkedHashMap<>();
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw new IllegalArgumentException("the body has no opening boundary");
        }
        pos += delimiter.length;
        while (true) {
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                return fields;
            }
            if (!startsWith(body, pos, CRLF)) {
                throw new IllegalArgumentException("a boundary is not followed by CRLF at byte " + pos);
            }
            pos += 2;
            int headerEnd = indexOf(body, HEADER_END, pos);
            if (headerEnd < 0) {
                throw new IllegalArgumentException("a part has no end of headers");
            }
            String headers = new String(body, pos, headerEnd - pos, StandardCharsets.UTF_8);
            String name = fieldName(headers);
            int dataStart = headerEnd + HEADER_END.length;
            int dataEnd = indexOf(body, partDelimiter, dataStart);
            if (dataEnd < 0) {
                throw new IllegalArgumentException("part '" + name + "' has no closing boundary");
            }
            if (fields.containsKey(name)) {
                throw new IllegalArgumentException("field '" + name + "' appears twice");
            }
            fields.put(name, Arrays.copyOfRange(body, dataStart, dataEnd));
            pos = dataEnd + partDelimiter.length;
        }
    }

    private static String fieldName(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                continue;
            }
            for (String param : line.substring(colon + 1).split(";")) {
                String p = param.trim();
                if (p.startsWith("name=")) {
                    String v = p.substring(5);
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("a part has no Content-Disposition name");
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (at + prefix.length > data.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
