package dev.meshjoin.bench;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.kv.cloudflare.CloudflareKvStore;
import dev.meshjoin.store.cloudflare.CloudflareDoStore;
import dev.meshjoin.store.etcd.EtcdBootstrapStore;
import dev.meshjoin.store.file.FileBootstrapStore;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import dev.meshjoin.testkit.cloudflare.WranglerDev;
import dev.meshjoin.testkit.etcd.EtcdServer;
import dev.meshjoin.testkit.store.CountingStore;
import dev.meshjoin.core.testing.MeshHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Store requests per day of a fleet in steady state, for each store, at the default settings
 * (one lighthouse that may serve and plain members; members poll the lighthouse every 15 s, the
 * lighthouse refreshes from the store every 5 s (15 s on Workers KV), its watch reads the network
 * record every 15 s, and it writes its presence record every 30 minutes; no entry points; {@code heartbeat=PT3H} measures
 * another presence interval): {@code nodes} in-process nodes (in-memory overlay, each with its own
 * store client) join through the real adapter and a real or local server; then the counters are
 * read, the mesh runs {@code periods} presence periods (compressed to about a second each: the
 * clock skips ahead), and the requests counted <em>at the servers</em> in that time are scaled to
 * a day (48 periods at the default). Nothing is computed from a formula: a change
 * in the core or an adapter that sends more requests shows in the figures.
 *
 * <ul>
 *   <li>Workers KV: the local KV server counts each request by kind (reads, writes, deletes, lists).</li>
 *   <li>Durable Object: the store Worker under {@code wrangler dev} (workerd); wrangler's request log
 *       is counted. Each is one Worker request and one Durable Object request.</li>
 *   <li>etcd: a real etcd; its {@code grpc_server_handled_total} metric.</li>
 *   <li>file: operations on the store (each one locked file access), counted at the adapter.</li>
 * </ul>
 *
 * <pre>
 * java -cp "mesh-bench/target/mesh-bench-0.1.0-SNAPSHOT.jar:mesh-bench/target/lib/*" \
 *     dev.meshjoin.bench.StoreCostBench [nodes=100] [periods=3] [stores=kv,do,etcd,file] [heartbeat=PT30M]
 * </pre>
 * Run it from the repository root (the Durable Object store is served from
 * {@code mesh-store-cloudflare-do/worker}, which needs {@code npm ci}; a store that cannot run here
 * is reported as skipped, with the reason).
 */
public final class StoreCostBench {
    /** The lighthouse watch's default interval ({@code LighthouseWatch.Settings.DEFAULTS}). */
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(15);

    /**
     * A lighthouse's default refresh from the store: 5 s, but no more often than a quarter of an
     * eventual store's propagation bound, which is 60 s on Workers KV (the bench's KV server runs at
     * a shorter bound only so that the joins are quick).
     */
    private static Duration refreshEvery(String store) {
        return store.equals("kv") ? Duration.ofSeconds(15) : Duration.ofSeconds(5);
    }

    /** Real time plus whatever the bench skipped ahead, so that a compressed period passes for the nodes. */
    private static final class SkippingClock extends java.time.Clock {
        private volatile Duration offset = Duration.ZERO;

        void skip(Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().plus(offset);
        }
    }

    /** MeshNode's default heartbeat (now: how often a lighthouse writes its presence record). */
    private static final Duration DEFAULT_HEARTBEAT = Duration.ofMinutes(30);

    private StoreCostBench() {
    }

    /** A store under measurement: per-node clients and the counters read at its server. */
    private interface Backend extends AutoCloseable {
        BootstrapStore client(String node);

        /** Counters by kind, read at the server. */
        Map<String, Long> counts() throws Exception;

        /** The free tier beside each counter, or empty text. */
        String freeTier(String kind);

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("nodes", "100", "periods", "3", "stores", "kv,do,etcd,file",
                "heartbeat", DEFAULT_HEARTBEAT.toString()));
        for (String a : args) {
            String[] kv = a.replaceFirst("^--?", "").split("=", 2);
            if (kv.length != 2 || !opts.containsKey(kv[0])) {
                System.err.println("usage: StoreCostBench [nodes=100] [periods=3] [stores=kv,do,etcd,file] [heartbeat=PT30M]");
                System.exit(2);
            }
            opts.put(kv[0], kv[1]);
        }
        int nodes = Integer.parseInt(opts.get("nodes"));
        int periods = Integer.parseInt(opts.get("periods"));
        Duration heartbeat = Duration.parse(opts.get("heartbeat"));
        long beatsPerDay = Duration.ofDays(1).toSeconds() / heartbeat.toSeconds();
        System.out.printf("Store requests per day, %d nodes in steady state (heartbeat %d min, %d heartbeats a day), "
                + "measured over %d heartbeat periods%n%n", nodes, heartbeat.toMinutes(), beatsPerDay, periods);
        System.out.printf("%-16s %-34s %12s   %s%n", "store", "requests (counted at the server)", "per day", "free tier");
        for (String store : opts.get("stores").split(",")) {
            try (Backend backend = open(store.strip())) {
                if (backend == null) {
                    continue;
                }
                measure(store.strip(), backend, nodes, periods, heartbeat, beatsPerDay);
            }
        }
    }

    private static void measure(String name, Backend backend, int nodes, int periods, Duration heartbeat, long beatsPerDay)
            throws Exception {
        List<MeshNode> fleet = new ArrayList<>();
        SkippingClock clock = new SkippingClock();
        try (MeshHarness mesh = MeshHarness.builder().storeFactory(backend::client).clock(clock)
                .caProvider(new TestDoubleCertificateAuthorityProvider(clock))
                .caKeyCodec(SecretCodecs.passphrase("bench-ca-passphrase".toCharArray()))
                .joinTimeout(Duration.ofMinutes(5)).build()) {
            List<String> names = mesh.names("n", nodes);
            // The founder may serve (a public endpoint, the CA passphrase); the members are plain
            // workers with neither, so they run no lighthouse watch of their own.
            fleet.add(mesh.node(names.get(0), b -> b.heartbeat(heartbeat)));
            for (String n : names.subList(1, names.size())) {
                fleet.add(mesh.node(n, b -> b.heartbeat(heartbeat).publicEndpoint(null)));
            }
            // The founder first, and its record settled, so that the steady state is one network.
            joinInBatches(name, fleet.subList(0, 1), 1);
            Thread.sleep(3000);
            joinInBatches(name, fleet.subList(1, fleet.size()), 10);
            // Warm-up, not counted: one poll of every member, so that the steady state counted below
            // does not include a member's first identification by the lighthouse.
            Thread.sleep(2000);
            for (MeshNode node : fleet.subList(1, fleet.size())) {
                node.follower().orElseThrow().tick();
            }
            Thread.sleep(1100);
            Map<String, Long> before = backend.counts();
            // One heartbeat period, with the clock skipping ahead: the lighthouse refreshes from the
            // store at its default rate for this store, its watch reads the network record every 15 s,
            // every member polls (its polls reach the lighthouse, not the store), and the lighthouse
            // writes its presence record once the period has passed.
            MeshNode lighthouse = fleet.get(0);
            Duration refresh = refreshEvery(name);
            long refreshes = heartbeat.dividedBy(refresh);
            long rounds = heartbeat.dividedBy(WATCH_INTERVAL);
            for (int p = 0; p < periods; p++) {
                for (long r = 0; r < refreshes; r++) {
                    clock.skip(refresh);
                    lighthouse.follower().orElseThrow().tick();
                }
                for (long r = 0; r < rounds; r++) {
                    lighthouse.lighthouseWatch().orElseThrow().round();
                }
                for (MeshNode node : fleet.subList(1, fleet.size())) {
                    node.follower().orElseThrow().tick();
                }
                Thread.sleep(1100); // Workers KV takes one write per key per second
            }
            Map<String, Long> after = backend.counts();
            for (Map.Entry<String, Long> e : after.entrySet()) {
                long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                long perDay = Math.round((double) delta / periods * beatsPerDay);
                System.out.printf("%-16s %-34s %,12d   %s%n", name, e.getKey(), perDay, backend.freeTier(e.getKey()));
            }
        }
    }

    private static void joinInBatches(String store, List<MeshNode> fleet, int batch) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(batch);
        try {
            for (int i = 0; i < fleet.size(); i += batch) {
                List<Future<NodeStatus>> joins = new ArrayList<>();
                for (MeshNode node : fleet.subList(i, Math.min(fleet.size(), i + batch))) {
                    joins.add(pool.submit(node::join));
                }
                for (Future<NodeStatus> f : joins) {
                    NodeStatus s = f.get();
                    if (s.state() != NodeState.READY) {
                        throw new IllegalStateException(store + ": a node did not join: " + s.state() + " " + s.detail());
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Backend open(String store) throws Exception {
        switch (store) {
            case "kv":
                return kv();
            case "do":
                Path worker = Path.of(System.getProperty("meshjoin.worker.dir", "mesh-store-cloudflare-do/worker")).toAbsolutePath();
                if (WranglerDev.unavailableReason(worker).isPresent()) {
                    System.out.printf("%-16s skipped: %s%n", "durable-object", WranglerDev.unavailableReason(worker).get());
                    return null;
                }
                return durableObject(worker);
            case "etcd":
                if (!Files.isExecutable(EtcdServer.binary())) {
                    System.out.printf("%-16s skipped: no etcd binary (%s); apt-get install etcd-server%n", "etcd", EtcdServer.binary());
                    return null;
                }
                return etcd();
            case "file":
                return file();
            default:
                throw new IllegalArgumentException("unknown store '" + store + "'; known: kv, do, etcd, file");
        }
    }

    private static Backend kv() {
        Duration bound = Duration.ofSeconds(1); // the joins only; steady state does not wait on it
        // The account rate limit (1,200 requests per 5 minutes) is off: the bench compresses hours of
        // heartbeats into seconds, while 100 real nodes send their ~400 requests per heartbeat over
        // 30 minutes. (Starting 100 nodes at once on KV does hit it: that is the joins, not this.)
        LocalKvServer server = LocalKvServer.builder().token("bench-kv-token").propagationDelay(bound)
                .accountRateLimit(0, Duration.ofMinutes(5), Duration.ofMinutes(5)).build();
        return new Backend() {
            @Override
            public BootstrapStore client(String node) {
                return CloudflareKvStore.builder().baseUrl(server.baseUrl()).accountId(server.accountId())
                        .namespaceId(server.namespaceId()).apiToken("bench-kv-token").propagationBound(bound).build();
            }

            @Override
            public Map<String, Long> counts() {
                Map<String, Long> m = new LinkedHashMap<>();
                m.put("reads (value + metadata GETs)", (long) server.requests(RequestKind.GET_VALUE) + server.requests(RequestKind.GET_METADATA));
                m.put("writes (PUT)", (long) server.requests(RequestKind.PUT));
                m.put("deletes", (long) server.requests(RequestKind.DELETE));
                m.put("lists", (long) server.requests(RequestKind.LIST));
                return m;
            }

            @Override
            public String freeTier(String kind) {
                return kind.startsWith("reads") ? "100,000 reads/day" : kind.startsWith("writes") ? "1,000 writes/day"
                        : kind.startsWith("deletes") ? "1,000 deletes/day" : "1,000 lists/day";
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    private static Backend durableObject(Path worker) {
        String token = "bench-token-" + Long.toHexString(new java.security.SecureRandom().nextLong()) + "-do";
        WranglerDev dev = WranglerDev.start(worker, Map.of(CloudflareDoStore.ENV_TOKEN, token), "/v1/health");
        return new Backend() {
            @Override
            public BootstrapStore client(String node) {
                return CloudflareDoStore.builder().endpoint(dev.url()).token(token.toCharArray()).build();
            }

            @Override
            public Map<String, Long> counts() throws InterruptedException {
                Thread.sleep(200); // wrangler writes its request log just after answering
                return Map.of("Worker requests (= DO requests)", (long) dev.requests("/v1/test/"));
            }

            @Override
            public String freeTier(String kind) {
                return "100,000 Worker requests/day and 100,000 Durable Object requests/day";
            }

            @Override
            public void close() {
                dev.close();
            }
        };
    }

    private static Backend etcd() throws Exception {
        EtcdServer server = EtcdServer.launch();
        return new Backend() {
            @Override
            public BootstrapStore client(String node) {
                return EtcdBootstrapStore.builder().endpoint(server.clientUrl()).build();
            }

            @Override
            public Map<String, Long> counts() throws Exception {
                return Map.of("gRPC requests", server.requestsHandled());
            }

            @Override
            public String freeTier(String kind) {
                return "(your own servers: no request quota)";
            }

            @Override
            public void close() throws Exception {
                server.close();
            }
        };
    }

    private static Backend file() throws Exception {
        Path dir = Files.createTempDirectory("bench-file-store");
        // One shared count over all clients; for the file store, which has no server, each
        // operation is one locked file access: its "request".
        CountingStore.Counts counts = new CountingStore.Counts();
        Function<String, BootstrapStore> clients = n -> new CountingStore(new FileBootstrapStore(dir), counts);
        return new Backend() {
            @Override
            public BootstrapStore client(String node) {
                return clients.apply(node);
            }

            @Override
            public Map<String, Long> counts() {
                Map<String, Long> m = new LinkedHashMap<>();
                m.put("reads (get, list)", counts.reads());
                m.put("writes (put, CAS, delete)", counts.writes());
                return m;
            }

            @Override
            public String freeTier(String kind) {
                return "(local files: no quota)";
            }

            @Override
            public void close() throws Exception {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        };
    }
}
