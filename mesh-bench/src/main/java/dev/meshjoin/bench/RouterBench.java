package dev.meshjoin.bench;

import dev.meshjoin.cli.ServicesLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The router against going straight to an instance, in one run: {@link ServicesLab}'s three
 * {@code meshctl up} nodes with real nebula in network namespaces (needs root and nebula; etcd for
 * {@code store=etcd}), then from node-1's namespace {@code count} GETs, {@code concurrency} at a
 * time, to node-2's echo server on its overlay address, and the same through node-1's router
 * ({@code /svc/echo/}, spread over node-2 and node-3). Prints requests per second, p50 and p99 of
 * each, and the router's share of the direct throughput and its added p50. Run as root:
 * {@code java -cp ... dev.meshjoin.bench.RouterBench [count=2000] [concurrency=8] [store=file|etcd]}.
 */
public final class RouterBench {
    private RouterBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = 2000;
        int concurrency = 8;
        String store = "file";
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "count" -> count = Integer.parseInt(kv[1]);
                case "concurrency" -> concurrency = Integer.parseInt(kv[1]);
                case "store" -> store = kv[1];
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + "; accepted: count=N concurrency=N store=file|etcd");
            }
        }
        Path dir = Files.createTempDirectory("meshjoin-router-bench-");
        try (ServicesLab lab = ServicesLab.start(dir, store)) {
            String what = count + " GETs, " + concurrency + " at a time, " + store + " store";
            // One uncounted round each, so that neither side pays for the first connections.
            lab.probe("http://" + lab.address(2) + ":8080/warm", 200, concurrency, "GET");
            lab.probe(ServicesLab.ROUTER + "/svc/echo/warm", 200, concurrency, "GET");
            Map<String, String> direct = lab.probe("http://" + lab.address(2) + ":8080/bench", count, concurrency, "GET");
            Map<String, String> routed = lab.probe(ServicesLab.ROUTER + "/svc/echo/bench", count, concurrency, "GET");
            System.out.println(ServicesLab.figures("BENCH direct " + what, direct) + " (" + ok(direct, count) + ")");
            System.out.println(ServicesLab.figures("BENCH router " + what, routed) + " (" + ok(routed, count) + ")");
            double share = Double.parseDouble(routed.get("rps")) / Double.parseDouble(direct.get("rps"));
            double added = Double.parseDouble(routed.get("p50")) / Double.parseDouble(direct.get("p50")) - 1;
            System.out.printf(java.util.Locale.ROOT, "BENCH router kept %.0f%% of the direct throughput, added %.0f%% to p50%n",
                    share * 100, added * 100);
        }
    }

    private static String ok(Map<String, String> t, int count) {
        return ServicesLab.count(t, "status 200") + " of " + count + " answered 200";
    }
}
