package dev.meshjoin.cli;

import static dev.meshjoin.cli.ServicesLab.ROUTER;
import static dev.meshjoin.cli.ServicesLab.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.testkit.etcd.EtcdServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The registry and the router for real, in {@link ServicesLab}'s three namespaces: node-1 routes
 * to the echo instances of node-2 and node-3. Runs on the file store (the lighthouses' registry)
 * and on etcd (EtcdServiceRegistry, chosen by the store). Needs root (namespaces) and nebula; etcd
 * for the second.
 */
class MeshctlServicesIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private ServicesLab lab;

    @BeforeAll
    static void needsRootAndNebula() {
        MeshctlLab.assumeRootAndNebula();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    private String services() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new ServicesCommand().run(new Invocation(List.of("--store", lab.lab().store(), "--network", "it", "--json"),
                Meshctl.emptyInput(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of(), tmp));
        assertThat(status).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "registry on the {0} store")
    @ValueSource(strings = {"file", "etcd"})
    void theRouterSpreadsGetsOverBothInstancesPrefersTheIdleOneAndSurvivesAStoppedServer(String store) throws Exception {
        assumeTrue(store.equals("file") || EtcdServer.unavailableReason().isEmpty(),
                () -> EtcdServer.unavailableReason().orElse(""));
        lab = ServicesLab.start(tmp, store);
        Ipv4Address a2 = lab.address(2);
        Ipv4Address a3 = lab.address(3);
        assertThat(lab.lab().output("node-1")).contains("router at http://127.0.0.1:8480/svc/NAME/");
        String url = ROUTER + "/svc/echo/hello?x=1";

        assertThat(services()).contains("\"node\":\"node-2\"").contains("\"node\":\"node-3\"")
                .contains("\"overlayAddress\":\"" + a2 + "\"").contains("\"overlayAddress\":\"" + a3 + "\"");
        // Which registry listed them: etcd's own ("(store)"), or the lighthouse's records on the file store.
        if (store.equals("etcd")) {
            assertThat(services()).contains("\"lighthouse\":\"(store)\"");
            assertThat(lab.lab().storeConnections()).as("the namespaces reached etcd").isGreaterThanOrEqualTo(3);
        } else {
            assertThat(services()).doesNotContain("(store)");
        }

        Map<String, String> spread = lab.probe(url, 200, 1, "GET");
        System.out.println("200 sequential GETs: " + spread);
        assertThat(count(spread, "status 200")).as("%s", spread).isEqualTo(200);
        assertThat(count(spread, "id node-2")).as("%s", spread).isBetween(60, 140);
        assertThat(count(spread, "id node-3")).as("%s", spread).isBetween(60, 140);

        // The bench (RouterBench prints the same): the same GETs through the router and straight to an instance.
        Map<String, String> direct = lab.probe("http://" + a2 + ":8080/bench", 2000, 8, "GET");
        Map<String, String> routed = lab.probe(ROUTER + "/svc/echo/bench", 2000, 8, "GET");
        System.out.println(ServicesLab.figures("BENCH direct 2000 GETs, 8 at a time", direct));
        System.out.println(ServicesLab.figures("BENCH router 2000 GETs, 8 at a time", routed));
        assertThat(count(direct, "status 200")).isEqualTo(2000);
        assertThat(count(routed, "status 200")).isEqualTo(2000);

        Map<String, String> slow = lab.probe("http://" + a3 + ":8080/_delay?ms=200", 1, 1, "GET");
        assertThat(count(slow, "status 200")).as("set the delay over the overlay: %s", slow).isEqualTo(1);
        Map<String, String> loaded = lab.probe(url, 200, 8, "GET");
        System.out.println("200 GETs, 8 at a time, node-3 slow: " + loaded);
        assertThat(count(loaded, "status 200")).isEqualTo(200);
        assertThat(count(loaded, "id node-2")).as("mostly the idle one: %s", loaded).isGreaterThan(140);

        Map<String, String> nobody = lab.probe(ROUTER + "/svc/billing/x", 1, 1, "GET");
        assertThat(count(nobody, "status 503")).isEqualTo(1);
        assertThat(nobody.get("body 503")).contains("'billing'");

        Map<String, String> loop = lab.probe(ROUTER + "/svc/loop".repeat(8) + "/x", 1, 1, "GET");
        assertThat(count(loop, "status 508")).as("%s", loop).isEqualTo(1);
        assertThat(loop.get("body 508")).contains("limit is 4");
        Map<String, String> posts = lab.probe(ROUTER + "/svc/echo/p", 20, 2, "POST");
        assertThat(count(posts, "status 200")).as("%s", posts).isEqualTo(20);

        // node-3's server stops: no GET fails, and within 3 polls the lookups no longer list it.
        lab.stopEcho(3);
        long stopped = System.nanoTime();
        Map<String, String> during = lab.probe(url, 100, 4, "GET");
        System.out.println("100 GETs right after node-3's server stopped: " + during);
        assertThat(count(during, "status 200")).as("%s", during).isEqualTo(100);
        assertThat(count(during, "id node-2")).isEqualTo(100);
        while (services().contains("\"node\":\"node-3\"")) {
            assertThat(System.nanoTime() - stopped).as("node-3 still listed")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(3 * ServicesLab.POLL_MS));
            Thread.sleep(200);
        }
        System.out.println("node-3 no longer listed after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped) + " ms");
        assertThat(lab.address(1)).isNotNull();
    }
}
