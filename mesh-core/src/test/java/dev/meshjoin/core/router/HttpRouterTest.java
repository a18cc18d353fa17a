package dev.meshjoin.core.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.registry.NoLiveInstanceException;
import dev.meshjoin.testkit.net.EchoHttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router over real HTTP on loopback: two echo servers as the instances of a service. */
class HttpRouterTest {
    private final FixedRegistry registry = new FixedRegistry();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private EchoHttpServer a;
    private EchoHttpServer b;
    private HttpRouter router;

    @BeforeEach
    void setUp() throws IOException {
        a = EchoHttpServer.onLoopback("a");
        b = EchoHttpServer.onLoopback("b");
        open.add(a);
        open.add(b);
        registry.put("echo", "node-a", a.port(), 0);
        registry.put("echo", "node-b", b.port(), 0);
        router = HttpRouter.start(registry, RouterSettings.defaults().withBind(new Endpoint("127.0.0.1", freePort()))
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5)));
        open.add(router);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private URI url(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + router.endpoint().port() + pathAndQuery);
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(url(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> lines(String body) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String l : body.split("\n")) {
            int sp = l.indexOf(' ');
            if (sp > 0) {
                m.merge(l.substring(0, sp), l.substring(sp + 1), (x, y) -> x + "\n" + y);
            }
        }
        return m;
    }

    @Test
    void twoHundredGetsReachBothInstancesWithMethodPathQueryAndHeadersIntact() throws Exception {
        Map<String, Integer> by = new ConcurrentHashMap<>();
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url("/svc/echo/x/%2Fy?q=1&r=a%20b"))
                    .header("X-Custom", "v" + i).header("X-Forwarded-For", "192.0.2.9").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            Map<String, String> l = lines(r.body());
            assertThat(l.get("method")).isEqualTo("GET");
            assertThat(l.get("target")).isEqualTo("/x/%2Fy?q=1&r=a%20b");
            assertThat(l.get("header")).contains("x-custom: v" + i).contains("x-forwarded-for: 192.0.2.9, 127.0.0.1")
                    .contains("mesh-hops: 1");
            assertThat(r.headers().firstValue("X-Echo-Id")).contains(l.get("id"));
            by.merge(l.get("id"), 1, Integer::sum);
        }
        assertThat(by.get("a")).isBetween(60, 140);
        assertThat(by.get("b")).isBetween(60, 140);
    }

    @Test
    void aSlowInstanceGetsFewRequestsUnderConcurrency() throws Exception {
        b.delay(150);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ids.add(pool.submit(() -> lines(get("/svc/echo/").body()).get("id")));
            }
            Map<String, Long> by = new java.util.HashMap<>();
            for (Future<String> f : ids) {
                by.merge(f.get(), 1L, Long::sum);
            }
            assertThat(by.getOrDefault("a", 0L)).as("%s", by).isGreaterThan(150);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStoppedInstanceFailsNoGetAndA503IsRetriedElsewhere() throws Exception {
        b.close();
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = get("/svc/echo/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(lines(r.body()).get("id")).isEqualTo("a");
        }
        a.status(503);
        EchoHttpServer c = EchoHttpServer.onLoopback("c");
        open.add(c);
        registry.put("echo", "node-c", c.port(), 0);
        Thread.sleep(1100); // the router's cached lookup expires
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get("/svc/echo/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(lines(r.body()).get("id")).isEqualTo("c");
        }
    }

    @Test
    void aPostIsNeverSentTwice() throws Exception {
        // An instance that accepts and drops every connection, and one that answers 503.
        ServerSocket dropper = new ServerSocket(0);
        open.add(dropper);
        Thread t = new Thread(() -> {
            while (!dropper.isClosed()) {
                try (Socket s = dropper.accept()) {
                    s.getInputStream().read(new byte[1024]);
                } catch (IOException ignored) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        registry.withdraw("echo");
        registry.put("flaky", "node-d", dropper.getLocalPort(), 0);
        registry.put("flaky", "node-a", a.port(), 0);
        a.status(503);
        int answered = 0;
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url("/svc/flaky/p")).POST(HttpRequest.BodyPublishers
                    .ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isIn(502, 503);
            if (r.statusCode() == 503) {
                answered++;
                assertThat(lines(r.body()).get("id")).isEqualTo("a");
            } else {
                assertThat(r.body()).contains("not sent again because the request is not idempotent");
            }
        }
        assertThat(a.requests()).as("each 503 answered once, no POST retried to a").isEqualTo(answered);
    }

    @Test
    void aNameNobodyOffersIs503NamingIt() throws Exception {
        HttpResponse<String> r = get("/svc/billing/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("no live instance of service 'billing'");
        RoutingClient client = new RoutingClient(registry, RouterSettings.defaults(), Clock.systemUTC());
        assertThatThrownBy(() -> client.send("billing", HttpRequest.newBuilder(URI.create("http://x/")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOfSatisfying(NoLiveInstanceException.class, e -> assertThat(e.service()).isEqualTo("billing"));
    }

    @Test
    void aLoopEndsAtTheHopLimitWith508() throws Exception {
        registry.put("loop", "self", router.endpoint().port(), 0);
        HttpResponse<String> r = get("/svc/loop".repeat(10) + "/end");
        assertThat(r.statusCode()).isEqualTo(508);
        assertThat(r.body()).contains("already passed 4 mesh routers").contains("limit is 4").contains("'loop'");
        HttpResponse<String> four = get("/svc/loop".repeat(3) + "/svc/echo/end");
        assertThat(four.statusCode()).as("4 routers on the way are allowed").isEqualTo(200);
        assertThat(lines(four.body()).get("header")).contains("mesh-hops: 4");
        assertThat(get("/svc/loop".repeat(4) + "/svc/echo/end").statusCode()).as("a fifth is not").isEqualTo(508);
    }

    @Test
    void malformedRequestsAreRefusedWithWhatToDo() throws Exception {
        assertThat(get("/other").statusCode()).isEqualTo(404);
        assertThat(get("/other").body()).contains("/svc/NAME/PATH");
        assertThat(get("/svc/").statusCode()).isEqualTo(400);
        assertThat(get("/svc/Echo/").body()).contains("'Echo' is not a service name");
        assertThat(get("/svc/%65cho/").statusCode()).isEqualTo(400);
        HttpResponse<String> hops = http.send(HttpRequest.newBuilder(url("/svc/echo/")).header("Mesh-Hops", "x").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hops.statusCode()).isEqualTo(400);
        assertThat(hops.body()).contains("Mesh-Hops must be a number");
        assertThat(a.requests() + b.requests()).isZero();
        assertThat(get("/svc/echo").statusCode()).as("the router still serves").isEqualTo(200);
    }

    @Test
    void aLargeBodyIsStreamedIntactBothWays() throws Exception {
        byte[] body = new byte[5 << 20];
        new Random(7).nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        for (String method : List.of("POST", "PUT")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url("/svc/echo/upload"))
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(lines(r.body()).get("body-bytes")).isEqualTo(Integer.toString(body.length));
            assertThat(lines(r.body()).get("body-sha256")).isEqualTo(sha);
            assertThat(lines(r.body()).get("method")).isEqualTo(method);
        }
        // chunked (no length): an input stream publisher
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(url("/svc/echo/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(lines(chunked.body()).get("body-sha256")).isEqualTo(sha);
    }

    @Test
    void theJavaClientSendsAnHttpRequestToAChosenInstance() throws Exception {
        RoutingClient client = router.client();
        assertThat(client.lookup("echo")).extracting(i -> i.node()).containsExactlyInAnyOrder("node-a", "node-b");
        AtomicInteger toA = new AtomicInteger();
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = client.send("echo", HttpRequest.newBuilder(URI.create("http://ignored:1/j?k=v"))
                    .header("X-From", "java").build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> l = lines(r.body());
            assertThat(l.get("target")).isEqualTo("/j?k=v");
            assertThat(l.get("header")).contains("x-from: java");
            if (l.get("id").equals("a")) {
                toA.incrementAndGet();
            }
        }
        assertThat(toA.get()).isBetween(5, 35);
        assertThat(client.chooser().inFlight("127.0.0.1:" + a.port())).as("nothing left in flight").isZero();
        assertThat(router.client().chooser().inFlight("127.0.0.1:" + b.port())).isZero();
    }
}
