package dev.meshjoin.testkit.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server that says who it is and what it got, for routing tests: every request is
 * answered 200 with lines {@code id}, {@code method}, {@code target} (raw path and query),
 * {@code body-bytes}, {@code body-sha256} and {@code header <name>: <value>} for each request header.
 * {@code /_delay?ms=N} sets a delay before every later answer; {@code /_status?code=N} makes later
 * answers that status. Runs in-process or as a main in a network namespace:
 * {@code java -cp ... dev.meshjoin.testkit.net.EchoHttpServer ID HOST PORT}.
 */
public final class EchoHttpServer implements AutoCloseable {
    private final String id;
    private final HttpServer server;
    private final ExecutorService pool;
    private final AtomicLong delayMillis = new AtomicLong();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger requests = new AtomicInteger();

    private EchoHttpServer(String id, InetAddress host, int port) throws IOException {
        this.id = id;
        server = HttpServer.create(new InetSocketAddress(host, port), 128);
        pool = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "echo-" + id);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts one on {@code host} at {@code port} (0: any free port). */
    public static EchoHttpServer start(String id, InetAddress host, int port) throws IOException {
        return new EchoHttpServer(id, host, port);
    }

    /** Starts one on loopback at a free port. */
    public static EchoHttpServer onLoopback(String id) throws IOException {
        return start(id, InetAddress.getLoopbackAddress(), 0);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String id() {
        return id;
    }

    /** Requests answered so far (control requests not counted). */
    public int requests() {
        return requests.get();
    }

    public void delay(long millis) {
        delayMillis.set(millis);
    }

    public void status(int code) {
        status.set(code);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            if (path.equals("/_delay") || path.equals("/_status")) {
                long v = Long.parseLong(query.substring(query.indexOf('=') + 1));
                if (path.equals("/_delay")) {
                    delayMillis.set(v);
                } else {
                    status.set((int) v);
                }
                answer(ex, 200, "ok " + id + "\n");
                return;
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long bytes = 0;
            try (InputStream in = ex.getRequestBody()) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                    bytes += n;
                }
            }
            requests.incrementAndGet();
            long d = delayMillis.get();
            if (d > 0) {
                Thread.sleep(d);
            }
            StringBuilder b = new StringBuilder();
            b.append("id ").append(id).append('\n');
            b.append("method ").append(ex.getRequestMethod()).append('\n');
            b.append("target ").append(path).append(query == null ? "" : "?" + query).append('\n');
            b.append("body-bytes ").append(bytes).append('\n');
            b.append("body-sha256 ").append(HexFormat.of().formatHex(sha.digest())).append('\n');
            Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            sorted.putAll(ex.getRequestHeaders());
            sorted.forEach((k, vs) -> vs.forEach(v -> b.append("header ").append(k.toLowerCase()).append(": ").append(v)
                    .append('\n')));
            ex.getResponseHeaders().set("X-Echo-Id", id);
            answer(ex, status.get(), b.toString());
        } catch (NoSuchAlgorithmException | InterruptedException | RuntimeException e) {
            answer(ex, 500, e.toString());
        }
    }

    private static void answer(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    /** {@code ID HOST PORT}: runs until killed. */
    public static void main(String[] args) throws Exception {
        EchoHttpServer s = start(args[0], InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        System.out.println("listening " + s.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
