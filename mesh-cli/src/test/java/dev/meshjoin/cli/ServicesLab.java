package dev.meshjoin.cli;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.testkit.etcd.EtcdServer;
import dev.meshjoin.testkit.net.EchoHttpServer;
import dev.meshjoin.testkit.netns.NetnsHost;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry and router scenario of {@code MeshctlServicesIT} and {@code RouterBench}: three
 * {@code meshctl up} processes with real nebula in three network namespaces, polling every 3 s;
 * node-2 and node-3 run an {@link EchoHttpServer} on 8080 announced as {@code echo}, node-2 also a
 * router on 8481 announced as {@code loop} (a service that forwards back into the mesh), and node-1
 * (founder and lighthouse) routes from {@code 127.0.0.1:8480} in its namespace. Requests are sent
 * with {@link RouterProbe} from node-1's namespace. Needs root and nebula (and etcd on "etcd").
 */
public final class ServicesLab implements AutoCloseable {
    /** How often the nodes poll: "within 3 poll intervals" is 9 s. */
    public static final long POLL_MS = 3_000;
    /** The router's URL prefix in node-1's namespace. */
    public static final String ROUTER = "http://127.0.0.1:8480";
    private static final Pattern LINE = Pattern.compile("(?m)^(status|id|error|body|rps|p50|p99) ?(\\S*) ?(.*)$");

    private final MeshctlLab lab;
    private final EtcdServer etcd;
    private final Process[] echo = new Process[4];
    private final Ipv4Address[] address = new Ipv4Address[4];
    private int probes;

    private ServicesLab(MeshctlLab lab, EtcdServer etcd) {
        this.lab = lab;
        this.etcd = etcd;
    }

    /**
     * Starts the three nodes on {@code store} ("file": the lighthouses' registry; "etcd": a real
     * etcd on the root namespace's loopback, forwarded into each namespace, so the nodes use
     * EtcdServiceRegistry) and waits until both echo instances answer through node-1's router.
     */
    public static ServicesLab start(Path dir, String store) throws Exception {
        EtcdServer etcd = store.equals("etcd") ? EtcdServer.launch() : null;
        ServicesLab s = new ServicesLab(MeshctlLab.create(3, dir), etcd);
        try {
            s.up();
            return s;
        } catch (Exception | AssertionError e) {
            s.close();
            throw e;
        }
    }

    private void up() throws Exception {
        if (etcd != null) {
            lab.onEtcd(etcd.clientUrl(), "services-it/");
        }
        String poll = "--poll-interval=" + POLL_MS / 1000 + "s";
        lab.up(lab.host(1), "node-1", true, "--lighthouse-target", "1", poll);
        address[1] = lab.ready("node-1");
        for (int i = 2; i <= 3; i++) {
            NetnsHost h = lab.host(i);
            echo[i] = lab.java(h, "echo-" + i, EchoHttpServer.class.getName(), List.of("node-" + i, "0.0.0.0", "8080"));
            if (i == 2) {
                lab.up(h, "node-2", false, "--service", "echo=8080", "--service", "loop=8481", "--router", "0.0.0.0:8481", poll);
            } else {
                lab.up(h, "node-3", false, "--service", "echo=8080", "--router", "off", poll);
            }
        }
        address[2] = lab.ready("node-2");
        address[3] = lab.ready("node-3");
        // Both announced: wait for the first poll of each to reach the lighthouse (or etcd).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            Map<String, String> t = probe(ROUTER + "/svc/echo/hello?x=1", 20, 4, "GET");
            if (count(t, "id node-2") > 0 && count(t, "id node-3") > 0) {
                return;
            }
        }
        throw new AssertionError("node-1's router did not reach both echo instances within 60 s; node-1's output:\n"
                + lab.output("node-1"));
    }

    /** The overlay address of node-{@code i}. */
    public Ipv4Address address(int i) {
        return address[i];
    }

    /** Stops node-{@code i}'s echo server (2 or 3), as a crash would. */
    public void stopEcho(int i) throws InterruptedException {
        echo[i].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    MeshctlLab lab() {
        return lab;
    }

    /**
     * Sends {@code count} requests, {@code concurrency} at a time, from node-1's namespace and returns
     * the tallies: "status 200" → n, "id node-2" → n, "error" → n, "body 503" → the first body,
     * "rps", "p50" and "p99" (ms).
     */
    public Map<String, String> probe(String url, int count, int concurrency, String method) throws Exception {
        String name = "probe-" + (++probes);
        Process p = lab.java(lab.host(1), name, RouterProbe.class.getName(), List.of(url, Integer.toString(count),
                Integer.toString(concurrency), method));
        boolean ended = p.waitFor(180, TimeUnit.SECONDS);
        String out = lab.output(name);
        if (!ended || !out.contains("done")) {
            throw new AssertionError("the probe of " + url + " did not finish; its output:\n" + out);
        }
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

    /** A count of the tallies, 0 when absent. */
    public static int count(Map<String, String> tally, String key) {
        return Integer.parseInt(tally.getOrDefault(key, "0"));
    }

    /** One figure line: {@code label: rps N p50 N ms p99 N ms}. */
    public static String figures(String label, Map<String, String> t) {
        return label + ": rps " + t.get("rps") + " p50 " + t.get("p50") + " ms p99 " + t.get("p99") + " ms";
    }

    @Override
    public void close() throws Exception {
        lab.close();
        if (etcd != null) {
            etcd.close();
        }
    }
}
