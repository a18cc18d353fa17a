package dev.meshjoin.core.router;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.registry.NoLiveInstanceException;
import dev.meshjoin.api.registry.RegistryException;
import dev.meshjoin.api.registry.ServiceRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local forwarder: {@code http://127.0.0.1:8480/svc/NAME/REST} goes to a live instance of NAME
 * over the overlay, with method, path, query, headers and body (streamed) intact, {@code X-Forwarded-For}
 * appended and {@code Mesh-Hops} counted. Its own answers are plain text saying what happened:
 * 404 outside {@code /svc/}, 400 for a malformed name or header, 503 when nobody offers the service
 * (or no instance could be reached), 502 when an instance failed a request that is not sent twice,
 * 504 when it did not answer in time, 508 when the hop limit is reached.
 */
public final class HttpRouter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);
    private static final int THREADS = 64;

    private final RouterSettings settings;
    private final RoutingClient client;
    private final HttpServer server;
    private final ExecutorService pool;
    private final Endpoint endpoint;

    private HttpRouter(RoutingClient client, RouterSettings settings) {
        this.settings = settings;
        this.client = client;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.bind().host(), settings.bind().port()), 128);
        } catch (IOException e) {
            throw new MeshException("the router cannot listen on " + settings.bind() + ": " + e.getMessage()
                    + "; choose another address with --router HOST:PORT, or --router off", e);
        }
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "meshjoin-router-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        endpoint = new Endpoint(settings.bind().host(), server.getAddress().getPort());
        LOG.info("router listening on http://{}/svc/NAME/", endpoint);
    }

    /** Starts a router that looks services up in {@code registry}. */
    public static HttpRouter start(ServiceRegistry registry, RouterSettings settings) {
        return new HttpRouter(new RoutingClient(registry, settings, Clock.systemUTC()), settings);
    }

    /** Starts a router over {@code client}. */
    public static HttpRouter start(RoutingClient client, RouterSettings settings) {
        return new HttpRouter(client, settings);
    }

    /** Where it listens. */
    public Endpoint endpoint() {
        return endpoint;
    }

    public RoutingClient client() {
        return client;
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            forward(ex);
        } catch (IOException | RuntimeException e) {
            LOG.debug("routing {} failed: {}", ex.getRequestURI(), e.toString());
        }
    }

    private void forward(HttpExchange ex) throws IOException {
        URI uri = ex.getRequestURI();
        ServicePath path;
        int hops;
        try {
            path = ServicePath.parse(uri.getRawPath(), uri.getRawQuery());
            hops = ForwardHeaders.hops(ex.getRequestHeaders().get(ForwardHeaders.HOPS));
        } catch (ServicePath.Malformed e) {
            text(ex, e.notRouted() ? 404 : 400, e.getMessage());
            return;
        } catch (ForwardHeaders.Malformed e) {
            text(ex, 400, e.getMessage());
            return;
        }
        if (hops >= settings.hopLimit()) {
            text(ex, 508, "loop detected: this request already passed " + hops + " mesh routers (" + ForwardHeaders.HOPS
                    + "), the limit is " + settings.hopLimit() + "; service '" + path.service()
                    + "' seems to forward back into the mesh");
            return;
        }
        String method = ex.getRequestMethod();
        Body body = body(ex, method);
        if (body == null) {
            return;
        }
        Map<String, List<String>> headers = ForwardHeaders.request(ex.getRequestHeaders(),
                ex.getRemoteAddress().getAddress().getHostAddress(), hops + 1);
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host != null && !headers.containsKey("X-Forwarded-Host")) {
            headers.put("X-Forwarded-Host", List.of(host));
        }
        RoutingClient.Routed<InputStream> r;
        try {
            r = client.route(path.service(), RoutingClient.idempotent(method) && body.replayable(), i -> {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + i.target() + path.target()))
                        .method(method, body.publisher()).timeout(settings.requestTimeout());
                headers.forEach((k, vs) -> vs.forEach(v -> {
                    try {
                        b.header(k, v);
                    } catch (IllegalArgumentException refused) {
                        // a header java.net.http sets itself (or refuses): the next hop gets its own
                    }
                }));
                return b.build();
            }, HttpResponse.BodyHandlers.ofInputStream());
        } catch (NoLiveInstanceException e) {
            text(ex, 503, e.getMessage());
            return;
        } catch (RoutingClient.Failed e) {
            text(ex, e.timedOut() ? 504 : 502, e.getMessage());
            return;
        } catch (RegistryException e) {
            text(ex, 503, "cannot look up service '" + path.service() + "': " + e.getMessage());
            return;
        }
        try (InstanceChooser.InFlight counted = r.inFlight(); InputStream in = r.response().body()) {
            relay(ex, method, r.response(), in);
        }
    }

    /** What to send upstream; null when the request was answered already (its length is malformed). */
    private Body body(HttpExchange ex, String method) throws IOException {
        String te = ex.getRequestHeaders().getFirst("Transfer-Encoding");
        String cl = ex.getRequestHeaders().getFirst("Content-Length");
        long length = 0;
        if (cl != null) {
            try {
                length = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0) {
                text(ex, 400, "Content-Length must be a non-negative number");
                return null;
            }
        }
        if (te == null && length == 0) {
            return new Body(HttpRequest.BodyPublishers.noBody(), true);
        }
        if (te == null && RoutingClient.idempotent(method) && length <= settings.replayLimit()) {
            byte[] bytes = ex.getRequestBody().readNBytes((int) length);
            return new Body(HttpRequest.BodyPublishers.ofByteArray(bytes), true);
        }
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(ex::getRequestBody);
        return new Body(te == null ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream, false);
    }

    private record Body(HttpRequest.BodyPublisher publisher, boolean replayable) {
    }

    private static void relay(HttpExchange ex, String method, HttpResponse<InputStream> resp, InputStream in)
            throws IOException {
        ForwardHeaders.response(resp.headers().map()).forEach((k, vs) -> ex.getResponseHeaders().put(k, vs));
        int status = resp.statusCode();
        long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean empty = "HEAD".equals(method) || status == 204 || status == 304 || (status >= 100 && status < 200);
        if (empty || length == 0) {
            if ("HEAD".equals(method) && length > 0) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(length));
            }
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, length > 0 ? length : 0);
        try (OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
