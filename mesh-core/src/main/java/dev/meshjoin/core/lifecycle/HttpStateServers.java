package dev.meshjoin.core.lifecycle;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.registry.RegistryWire;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.core.state.Beat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state service over HTTP on the JDK's server, bound to the lighthouse's overlay address so
 * that only peers Nebula authenticated can reach it; the caller is the source address of the
 * connection. {@code POST /v1/state} takes a {@link Beat} and answers the document with an ETag,
 * or 304 to a matching {@code If-None-Match}; {@code POST /v1/renew} takes
 * {@code {"publicKey":"base64"}} and answers {@code {"certificate":"PEM"}}; {@code GET
 * /v1/services?name=NAME} answers the live instances of a service ({@link RegistryWire.Answer}). Refusals are 403 with
 * {@code {"error":reason,"message":...}}. Bodies over 8 KiB are refused before they are parsed.
 */
public final class HttpStateServers implements StateServerFactory {
    private static final Logger LOG = LoggerFactory.getLogger(HttpStateServers.class);
    static final String STATE_PATH = "/v1/state";
    static final String RENEW_PATH = "/v1/renew";
    static final String SERVICES_PATH = "/v1/services";
    static final int MAX_BODY = 8 * 1024;

    /** The renewal request. */
    record RenewRequest(String publicKey) {
    }

    /** The renewal answer. */
    record RenewAnswer(String certificate) {
    }

    /** A refusal. */
    record Refusal(String error, String message) {
    }

    @Override
    public StateServer start(Endpoint bindTo, StateHandler handler) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindTo.host(), bindTo.port()), 64);
        } catch (IOException e) {
            throw new MeshException("cannot listen for state polls on " + bindTo + ": " + e.getMessage()
                    + "; the overlay address must be up and the signing port free on it", e);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "meshjoin-state-" + bindTo);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext(STATE_PATH, ex -> serve(ex, "POST", () -> state(ex, handler)));
        server.createContext(RENEW_PATH, ex -> serve(ex, "POST", () -> renew(ex, handler)));
        server.createContext(SERVICES_PATH, ex -> serve(ex, "GET", () -> services(ex, handler)));
        server.start();
        Endpoint at = new Endpoint(bindTo.host(), server.getAddress().getPort());
        LOG.info("state service listening on {}", at);
        return new StateServer() {
            @Override
            public Endpoint endpoint() {
                return at;
            }

            @Override
            public void close() {
                server.stop(0);
                pool.shutdownNow();
            }
        };
    }

    private interface Work {
        void run() throws IOException;
    }

    private static void serve(HttpExchange ex, String method, Work work) {
        // The exchange is closed only after the catch blocks answered: a try-with-resources on it
        // would close it before them, and every refusal would reach the caller as a dropped connection.
        try (ex) {
            answer(ex, method, work);
        }
    }

    private static void answer(HttpExchange ex, String method, Work work) {
        try {
            if (!method.equals(ex.getRequestMethod())) {
                respond(ex, 405, Json.write(new Refusal("method-not-allowed", "use " + method)), Map.of());
                return;
            }
            work.run();
        } catch (JoinRefusedException e) {
            try {
                respond(ex, 403, Json.write(new Refusal(e.reason().code(), e.getMessage())), Map.of());
            } catch (IOException ignored) {
                // the caller left
            }
        } catch (BadRequest e) {
            try {
                respond(ex, 400, Json.write(new Refusal("bad-request", e.getMessage())), Map.of());
            } catch (IOException ignored) {
                // the caller left
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("state request from {} failed: {}", ex.getRemoteAddress(), e.toString());
            try {
                respond(ex, 500, Json.write(new Refusal("internal", "the state service failed; its log says why")), Map.of());
            } catch (IOException ignored) {
                // the caller left
            }
        }
    }

    private static void state(HttpExchange ex, StateHandler handler) throws IOException {
        Beat beat = parse(body(ex), Beat.class);
        StateHandler.Answer a = handler.state(caller(ex), ex.getRequestHeaders().getFirst("If-None-Match"), beat);
        if (!a.modified()) {
            ex.getResponseHeaders().set("ETag", a.etag());
            ex.sendResponseHeaders(304, -1);
            return;
        }
        respond(ex, 200, a.document().bytes(), Map.of("ETag", a.etag()));
    }

    private static void renew(HttpExchange ex, StateHandler handler) throws IOException {
        RenewRequest r = parse(body(ex), RenewRequest.class);
        byte[] key;
        try {
            key = Base64.getDecoder().decode(r.publicKey() == null ? "" : r.publicKey());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("publicKey is not base64");
        }
        if (key.length != 32) {
            throw new BadRequest("publicKey must be 32 bytes, got " + key.length);
        }
        respond(ex, 200, Json.write(new RenewAnswer(handler.renew(caller(ex), key))), Map.of());
    }

    private static void services(HttpExchange ex, StateHandler handler) throws IOException {
        String name = null;
        String query = ex.getRequestURI().getRawQuery();
        if (query != null && !query.isEmpty()) {
            if (!query.startsWith(RegistryWire.NAME + "=") || query.indexOf('&') >= 0) {
                throw new BadRequest("the only query is ?name=SERVICE");
            }
            name = query.substring(RegistryWire.NAME.length() + 1);
            if (!ServiceInstance.validName(name)) {
                throw new BadRequest("the service name must be a DNS label (lower-case letters, digits, inner hyphens)");
            }
        }
        respond(ex, 200, Json.write(new RegistryWire.Answer(1, name, handler.services(caller(ex), name))), Map.of());
    }

    private static Ipv4Address caller(HttpExchange ex) {
        if (!(ex.getRemoteAddress().getAddress() instanceof Inet4Address a)) {
            throw new JoinRefusedException(RefusalReason.UNKNOWN_CALLER, "the state service answers overlay (IPv4) peers only");
        }
        return Ipv4Address.of(a.getAddress());
    }

    private static <T> T parse(byte[] body, Class<T> type) {
        try {
            T v = Json.mapper().readValue(body, type);
            if (v == null) {
                throw new BadRequest("the body is empty");
            }
            return v;
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadRequest b) {
                throw b;
            }
            throw new BadRequest("the body is not a valid " + type.getSimpleName());
        }
    }

    private static byte[] body(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        byte[] buf = in.readNBytes(MAX_BODY + 1);
        if (buf.length > MAX_BODY) {
            throw new BadRequest("the body exceeds " + MAX_BODY + " bytes");
        }
        return Arrays.copyOf(buf, buf.length);
    }

    private static void respond(HttpExchange ex, int status, byte[] body, Map<String, String> headers) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** A request that does not parse. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
