package dev.meshjoin.kv.cloudflare;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds the {@code multipart/form-data} body (RFC 7578) the KV write endpoint takes for a value
 * with metadata.
 *
 * <p>The value goes as a <em>file part</em> ({@code filename} set, {@code application/octet-stream}):
 * form fields without a file name are text, which a server may decode and re-encode as UTF-8, while
 * a file part is taken as bytes. Sealed values (the CA key) are random bytes, so they must arrive
 * byte-exact; base64 in a text field would also work, but would make every value a third larger and
 * unreadable to other tools ({@code wrangler kv key get}), so we send the bytes as they are.
 * The metadata goes as a text part typed {@code application/json}, as the API documents it.
 */
final class Multipart {
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Part(String name, String filename, String contentType, byte[] data) {
    }

    private final String boundary;
    private final List<Part> parts = new ArrayList<>();

    Multipart() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        // 128 random bits: the chance that a value contains the boundary is negligible.
        this.boundary = "meshjoin-" + HexFormat.of().formatHex(b);
    }

    /** A binary part sent as a file, so its bytes are stored exactly. */
    Multipart file(String name, byte[] data) {
        parts.add(new Part(name, name, "application/octet-stream", data));
        return this;
    }

    /** A JSON text part. */
    Multipart json(String name, byte[] json) {
        parts.add(new Part(name, null, "application/json", json));
        return this;
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part p : parts) {
            String head = "--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"" + p.name + "\""
                    + (p.filename == null ? "" : "; filename=\"" + p.filename + "\"") + "\r\n"
                    + "Content-Type: " + p.contentType + "\r\n\r\n";
            out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(p.data);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
