package dev.meshjoin.testkit.cloudflare;

import com.sun.net.httpserver.HttpExchange;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One answer of the local KV server: status, body, headers, and the kind it is counted as. */
final class KvResponse {
    final int status;
    final byte[] body;
    final String contentType;
    final Map<String, String> headers = new HashMap<>();
    RequestKind kind;

    KvResponse(int status, byte[] body, String contentType) {
        this.status = status;
        this.body = body;
        this.contentType = contentType;
    }

    KvResponse kind(RequestKind k) {
        this.kind = k;
        return this;
    }

    KvResponse refused() {
        return kind(RequestKind.REFUSED);
    }

    KvResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    void writeTo(HttpExchange ex) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Cloudflare's success envelope around {@code resultJson}. */
    static KvResponse envelope(String resultJson) {
        String body = "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" + resultJson + "}";
        return new KvResponse(200, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** Cloudflare's error envelope with one error. */
    static KvResponse error(int status, int code, String message) {
        String body = "{\"success\":false,\"errors\":[{\"code\":" + code + ",\"message\":" + Json.quote(message)
                + "}],\"messages\":[],\"result\":null}";
        return new KvResponse(status, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }
}
