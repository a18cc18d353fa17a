package dev.meshjoin.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends requests from inside a namespace and prints what answered: {@code java ... RouterProbe URL
 * COUNT CONCURRENCY [METHOD]} prints {@code status CODE N}, {@code id ID N} (the echo server that
 * answered) and {@code error N} lines, {@code rps}, {@code p50} and {@code p99} (milliseconds), then
 * {@code done}; the first body of each status after {@code body CODE}.
 */
public final class RouterProbe {
    private RouterProbe() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int count = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        String method = args.length > 3 ? args[3] : "GET";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<String[]>> all = new ArrayList<>();
        long[] nanos = new long[count];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int k = i;
            all.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                            .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("probe")
                                    : HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    nanos[k] = System.nanoTime() - t0;
                    return new String[] {Integer.toString(r.statusCode()), r.headers().firstValue("X-Echo-Id").orElse("-"),
                            r.body()};
                } catch (Exception e) {
                    return new String[] {"error", "-", e.toString()};
                }
            }));
        }
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> ids = new TreeMap<>();
        Map<String, String> bodies = new TreeMap<>();
        for (Future<String[]> f : all) {
            String[] r = f.get();
            statuses.merge(r[0], 1, Integer::sum);
            ids.merge(r[1], 1, Integer::sum);
            bodies.putIfAbsent(r[0], r[2].replace('\n', ' '));
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        System.out.printf(java.util.Locale.ROOT, "rps %.0f%n", count / (elapsed / 1e9));
        System.out.printf(java.util.Locale.ROOT, "p50 %.2f%n", sorted[count / 2] / 1e6);
        System.out.printf(java.util.Locale.ROOT, "p99 %.2f%n", sorted[Math.min(count - 1, (int) Math.ceil(count * 0.99) - 1)] / 1e6);
        statuses.forEach((k, v) -> System.out.println((k.equals("error") ? "error " : "status " + k + " ") + v));
        ids.forEach((k, v) -> System.out.println("id " + k + " " + v));
        bodies.forEach((k, v) -> System.out.println("body " + k + " " + v));
        System.out.println("done");
    }
}
