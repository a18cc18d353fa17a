package dev.meshjoin.kv.cloudflare;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the {@code multipart/form-data} body the KV write endpoint takes for value plus metadata. */
final class Multipart {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String boundary;
    private final Map<String, byte[]> fields = new LinkedHashMap<>();

    Multipart() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        // 128 random bits: the chance that a value contains the boundary is negligible.
        this.boundary = "meshjoin-" + HexFormat.of().formatHex(b);
    }

    Multipart field(String name, byte[] value) {
        fields.put(name, value);
        return this;
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> f : fields.entrySet()) {
            String head = "--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n";
            out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(f.getValue());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
