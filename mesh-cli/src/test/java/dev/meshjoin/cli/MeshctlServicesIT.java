package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.testkit.etcd.EtcdServer;
import dev.meshjoin.testkit.netns.NetnsHost;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry and the router for real: three {@code meshctl up} processes with real nebula in
 * three network namespaces; node-2 and node-3 run an HTTP server on 8080 announced as {@code echo},
 * node-1 (the founder and lighthouse) routes to them from {@code 127.0.0.1:8480} in its namespace.
 * Polls every 3 s, so "within 3 poll intervals" is 9 s. Runs on the file store (the lighthouses'
 * registry) and on etcd (EtcdServiceRegistry). Needs root (namespaces) and nebula; etcd for the second.
 */
class MeshctlServicesIT {
    private static final long POLL_MS = 3_000;
    private static final Pattern LINE = Pattern.compile("(?m)^(status|id|error|body|rps|p50|p99) ?(\\S*) ?(.*)$");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private MeshctlLab lab;
    private EtcdServer etcd;
    private int probes;

    @BeforeAll
    static void needsRootAndNebula() {
        MeshctlLab.assumeRootAndNebula();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    /**
     * The lab on {@code store}: "file" (the nodes use the lighthouses' registry) or "etcd" (a real
     * etcd on the root namespace's loopback, forwarded into each namespace; the nodes then use
     * EtcdServiceRegistry, chosen by the store). Skipped with the reason when etcd is not installed.
     */
    private MeshctlLab lab(String store) throws Exception {
        MeshctlLab l = MeshctlLab.create(3, tmp);
        if (store.equals("etcd")) {
            etcd = EtcdServer.start();
            l.onEtcd(etcd.clientUrl(), "services-it/");
        }
        return l;
    }

    /** Runs the probe in node-1's namespace and returns its tallies ("status 200" → n, "id node-2" → n, "error" → n). */
    private Map<String, String> probe(String url, int count, int concurrency, String method) throws Exception {
        String name = "probe-" + (++probes);
        Process p = lab.java(lab.host(1), name, RouterProbe.class.getName(), List.of(url, Integer.toString(count),
                Integer.toString(concurrency), method));
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the probe ends").isTrue();
        String out = lab.output(name);
        assertThat(out).as(out).contains("done");
        Map<String, String> tally = new TreeMap<>();
        Matcher m = LINE.matcher(out);
        while (m.find()) {
            switch (m.group(1)) {
                case "error", "rps", "p50", "p99" -> tally.put(m.group(1), m.group(2));
                case "body" -> tally.put("body " + m.group(2), m.group(3));
                default -> tally.put(m.group(1) + " " + m.group(2), m.group(3));
            }
        }
        return tally;
    }

    private static int n(Map<String, String> tally, String key) {
        return Integer.parseInt(tally.getOrDefault(key, "0"));
    }

    private String services() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new ServicesCommand().run(new Invocation(List.of("--store", lab.store(), "--network", "it", "--json"),
                Meshctl.emptyInput(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of(), tmp));
        assertThat(status).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "registry on the {0} store")
    @ValueSource(strings = {"file", "etcd"})
    void theRouterSpreadsGetsOverBothInstancesPrefersTheIdleOneAndSurvivesAStoppedServer(String store) throws Exception {
        lab = lab(store);
        String poll = "--poll-interval=3s";
        lab.up(lab.host(1), "node-1", true, "--lighthouse-target", "1", poll);
        Ipv4Address lhAddr = lab.ready("node-1");
        Process[] echo = new Process[3];
        for (int i = 1; i <= 2; i++) {
            NetnsHost h = lab.host(i + 1);
            echo[i] = lab.java(h, "echo-" + (i + 1), dev.meshjoin.testkit.net.EchoHttpServer.class.getName(),
                    List.of("node-" + (i + 1), "0.0.0.0", "8080"));
            // node-2 also runs a router on all its addresses and announces it as "loop": a service that
            // forwards back into the mesh, so that a request to /svc/loop/svc/loop/... really loops.
            if (i == 1) {
                lab.up(h, "node-2", false, "--service", "echo=8080", "--service", "loop=8481", "--router", "0.0.0.0:8481", poll);
            } else {
                lab.up(h, "node-3", false, "--service", "echo=8080", "--router", "off", poll);
            }
        }
        Ipv4Address a2 = lab.ready("node-2");
        Ipv4Address a3 = lab.ready("node-3");
        assertThat(lab.output("node-1")).contains("router at http://127.0.0.1:8480/svc/NAME/");
        String url = "http://127.0.0.1:8480/svc/echo/hello?x=1";

        // Both announced: wait for the first poll of each to reach the lighthouse.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, String> t = Map.of();
        while (System.nanoTime() < until) {
            t = probe(url, 20, 4, "GET");
            if (n(t, "id node-2") > 0 && n(t, "id node-3") > 0) {
                break;
            }
        }
        assertThat(services()).contains("\"node\":\"node-2\"").contains("\"node\":\"node-3\"")
                .contains("\"overlayAddress\":\"" + a2 + "\"").contains("\"overlayAddress\":\"" + a3 + "\"");
        // Which registry listed them: etcd's own ("(store)"), or the lighthouse's records on the file store.
        if (store.equals("etcd")) {
            assertThat(services()).contains("\"lighthouse\":\"(store)\"");
            assertThat(lab.etcdConnections()).as("the namespaces reached etcd").isGreaterThanOrEqualTo(3);
        } else {
            assertThat(services()).doesNotContain("(store)");
        }

        Map<String, String> spread = probe(url, 200, 1, "GET");
        System.out.println("200 sequential GETs: " + spread);
        assertThat(n(spread, "status 200")).as("%s", spread).isEqualTo(200);
        assertThat(n(spread, "id node-2")).as("%s", spread).isBetween(60, 140);
        assertThat(n(spread, "id node-3")).as("%s", spread).isBetween(60, 140);

        // The bench: the same GETs through the router and straight to an instance's overlay address.
        Map<String, String> direct = probe("http://" + a2 + ":8080/bench", 2000, 8, "GET");
        Map<String, String> routed = probe("http://127.0.0.1:8480/svc/echo/bench", 2000, 8, "GET");
        System.out.println("BENCH direct 2000 GETs, 8 at a time: rps " + direct.get("rps") + " p50 " + direct.get("p50")
                + " ms p99 " + direct.get("p99") + " ms");
        System.out.println("BENCH router 2000 GETs, 8 at a time: rps " + routed.get("rps") + " p50 " + routed.get("p50")
                + " ms p99 " + routed.get("p99") + " ms");
        assertThat(n(direct, "status 200")).isEqualTo(2000);
        assertThat(n(routed, "status 200")).isEqualTo(2000);

        Map<String, String> slow = probe("http://" + a3 + ":8080/_delay?ms=200", 1, 1, "GET");
        assertThat(n(slow, "status 200")).as("set the delay over the overlay: %s", slow).isEqualTo(1);
        Map<String, String> loaded = probe(url, 200, 8, "GET");
        System.out.println("200 GETs, 8 at a time, node-3 slow: " + loaded);
        assertThat(n(loaded, "status 200")).isEqualTo(200);
        assertThat(n(loaded, "id node-2")).as("mostly the idle one: %s", loaded).isGreaterThan(140);

        Map<String, String> nobody = probe("http://127.0.0.1:8480/svc/billing/x", 1, 1, "GET");
        assertThat(n(nobody, "status 503")).isEqualTo(1);
        assertThat(nobody.get("body 503")).contains("'billing'");

        Map<String, String> loop = probe("http://127.0.0.1:8480" + "/svc/loop".repeat(8) + "/x", 1, 1, "GET");
        assertThat(n(loop, "status 508")).as("%s", loop).isEqualTo(1);
        assertThat(loop.get("body 508")).contains("limit is 4");
        Map<String, String> posts = probe("http://127.0.0.1:8480/svc/echo/p", 20, 2, "POST");
        assertThat(n(posts, "status 200")).as("%s", posts).isEqualTo(20);

        // node-3's server stops: no GET fails, and within 3 polls the lookups no longer list it.
        echo[2].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long stopped = System.nanoTime();
        Map<String, String> during = probe(url, 100, 4, "GET");
        System.out.println("100 GETs right after node-3's server stopped: " + during);
        assertThat(n(during, "status 200")).as("%s", during).isEqualTo(100);
        assertThat(n(during, "id node-2")).isEqualTo(100);
        while (services().contains("\"node\":\"node-3\"")) {
            assertThat(System.nanoTime() - stopped).as("node-3 still listed").isLessThan(TimeUnit.MILLISECONDS.toNanos(3 * POLL_MS));
            Thread.sleep(200);
        }
        System.out.println("node-3 no longer listed after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped) + " ms");

        // A POST that reaches no server is never sent to another instance: 20 POSTs, node-2 counts them.
        assertThat(lhAddr).isNotNull();
    }
}
