package dev.meshjoin.store.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.LoadReporter;
import dev.meshjoin.api.registry.PortCheck;
import dev.meshjoin.api.registry.RegistryException;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.api.registry.ServiceRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service registry on etcd, for fleets that outgrow the lighthouses' memory: each announced
 * instance is a key {@code <prefix>mesh/<network>/registry/<service>/<node>/<port>} under this
 * node's lease (time-to-live two and a half intervals, kept alive every interval, so a node that
 * stops drops out by itself and one that closes at once); a lookup is one range request; a watch
 * is the JSON gateway's streaming {@code /v3/watch} on the service's prefix. Loads are written with
 * each refresh: etcd takes writes that a free KV tier would not. An instance whose port accepts no
 * connection (its server stopped) is left out of the refresh, so it drops out of the lookups.
 */
public final class EtcdServiceRegistry implements ServiceRegistry, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdServiceRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final URI endpoint;
    private final String root;
    private final String node;
    private final Supplier<Optional<String>> overlayAddress;
    private final Duration interval;
    private final Clock clock;
    private final BiPredicate<String, Integer> accepting;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timer;
    private final List<ServiceInstance> announced = new ArrayList<>();
    private final Set<String> written = new HashSet<>();
    private volatile LoadReporter reporter = LoadReporter.systemLoad();
    private long lease;

    /** What an instance's key holds. */
    record Stored(String node, String overlayAddress, ServiceInstance instance, double load) {
    }

    private EtcdServiceRegistry(URI endpoint, String keyPrefix, String network, String node,
                                Supplier<Optional<String>> overlayAddress, Duration interval, Clock clock,
                                BiPredicate<String, Integer> accepting) {
        this.endpoint = endpoint;
        this.root = keyPrefix + "mesh/" + network + "/registry/";
        this.node = node;
        this.overlayAddress = overlayAddress;
        this.interval = interval;
        this.clock = clock;
        this.accepting = accepting;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshjoin-etcd-registry-" + node);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A registry for {@code node} on the etcd at {@code endpoint} (its client URL), with the store's key prefix.
     *
     * @param overlayAddress the node's overlay address, once it has one (nothing is announced before)
     * @param interval how often the lease is kept alive and the loads written (the poll interval)
     */
    public static EtcdServiceRegistry start(URI endpoint, String keyPrefix, String network, String node,
                                            Supplier<Optional<String>> overlayAddress, Duration interval) {
        return start(endpoint, keyPrefix, network, node, overlayAddress, interval, PortCheck::accepting);
    }

    /** As {@link #start}, with the check of whether an instance's port accepts connections (a test's own). */
    static EtcdServiceRegistry start(URI endpoint, String keyPrefix, String network, String node,
                                     Supplier<Optional<String>> overlayAddress, Duration interval,
                                     BiPredicate<String, Integer> accepting) {
        return new EtcdServiceRegistry(endpoint, keyPrefix, network, node, overlayAddress, interval, Clock.systemUTC(),
                accepting);
    }

    @Override
    public void announce(ServiceInstance instance) {
        Objects.requireNonNull(instance, "instance");
        synchronized (announced) {
            announced.removeIf(i -> i.name().equals(instance.name()) && i.port() == instance.port());
            announced.add(instance);
        }
        refreshSoon();
    }

    private void refreshSoon() {
        try {
            timer.execute(this::refreshQuietly);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            LOG.info("{}: the registry is closed; the change is not written", node);
        }
    }

    @Override
    public void withdraw(String name) {
        synchronized (announced) {
            announced.removeIf(i -> i.name().equals(name));
        }
        refreshSoon();
    }

    @Override
    public List<ServiceInstance> announced() {
        synchronized (announced) {
            return List.copyOf(announced);
        }
    }

    @Override
    public void reportLoad(LoadReporter r) {
        reporter = Objects.requireNonNull(r, "reporter");
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("{}: refreshing its services on etcd failed ({}); trying again in {}", node, e.getMessage(), interval);
        }
    }

    /** Keeps the lease alive (or takes a new one) and writes every announced instance under it; deletes withdrawn ones. */
    synchronized void refresh() {
        Optional<String> address = overlayAddress.get();
        if (address.isEmpty()) {
            return;
        }
        if (lease == 0 || !keepAlive()) {
            long ttl = Math.max(2, (interval.toMillis() * 5 / 2 + 999) / 1000);
            lease = call("/v3/lease/grant", JSON.createObjectNode().put("TTL", Long.toString(ttl))).path("ID").asLong(0);
            written.clear();
        }
        double load = load();
        Set<String> now = new HashSet<>();
        for (ServiceInstance s : announced()) {
            // Like the lighthouse registry: an instance whose server stopped is not written again, and
            // the loop below deletes its key, so lookups drop it within an interval.
            if (!accepting.test(address.get(), s.port())) {
                LOG.debug("{} on port {} accepts no connection; not announcing it this interval", s.name(), s.port());
                continue;
            }
            String key = root + s.name() + "/" + node + "/" + s.port();
            now.add(key);
            byte[] value;
            try {
                value = JSON.writeValueAsBytes(new Stored(node, address.get(), s, load));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            call("/v3/kv/put", JSON.createObjectNode().put("key", b64(key)).put("value", B64.encodeToString(value))
                    .put("lease", Long.toString(lease)));
        }
        for (String gone : written) {
            if (!now.contains(gone)) {
                call("/v3/kv/deleterange", JSON.createObjectNode().put("key", b64(gone)));
            }
        }
        written.clear();
        written.addAll(now);
    }

    private boolean keepAlive() {
        JsonNode r = call("/v3/lease/keepalive", JSON.createObjectNode().put("ID", Long.toString(lease)));
        return r.path("result").path("TTL").asLong(0) > 0;
    }

    private double load() {
        try {
            double v = reporter.load();
            return v >= 0 && !Double.isInfinite(v) ? v : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    @Override
    public List<LiveInstance> lookup(String name) {
        ServiceInstance.checkName(name);
        return range(name);
    }

    @Override
    public List<LiveInstance> lookupAll() {
        return range(null);
    }

    /** One range request over a service's keys, or over every service's when {@code name} is null. */
    private List<LiveInstance> range(String name) {
        String prefix = name == null ? root : root + name + "/";
        JsonNode r = call("/v3/kv/range", JSON.createObjectNode().put("key", b64(prefix))
                .put("range_end", B64.encodeToString(EtcdBootstrapStore.prefixEnd(prefix.getBytes(StandardCharsets.UTF_8)))));
        List<LiveInstance> out = new ArrayList<>();
        for (JsonNode kv : r.path("kvs")) {
            try {
                Stored s = JSON.readValue(B64D.decode(kv.path("value").asText()), Stored.class);
                // The key's service must be the instance's: a writer of the store cannot list one under another's name.
                String key = new String(B64D.decode(kv.path("key").asText()), StandardCharsets.UTF_8);
                if (key.startsWith(root + s.instance().name() + "/") && (name == null || s.instance().name().equals(name))) {
                    out.add(new LiveInstance(s.instance(), s.node(), s.overlayAddress(), s.load(), clock.instant()));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping a malformed registry entry under {}: {}", prefix, e.getMessage());
            }
        }
        return out;
    }

    @Override
    public Watch watch(String name, Consumer<List<LiveInstance>> listener) {
        ServiceInstance.checkName(name);
        String prefix = root + name + "/";
        ObjectNode create = JSON.createObjectNode();
        create.putObject("create_request").put("key", b64(prefix))
                .put("range_end", B64.encodeToString(EtcdBootstrapStore.prefixEnd(prefix.getBytes(StandardCharsets.UTF_8))));
        Object lock = new Object();
        boolean[] closed = {false};
        Set<String>[] last = new Set[] {null};
        Runnable tell = () -> {
            List<LiveInstance> now;
            try {
                now = lookup(name);
            } catch (RuntimeException e) {
                LOG.debug("watch of {}: lookup failed ({})", name, e.getMessage());
                return;
            }
            Set<String> ids = new HashSet<>();
            now.forEach(i -> ids.add(i.node() + "|" + i.overlayAddress() + "|" + i.instance()));
            synchronized (lock) {
                if (!closed[0] && !ids.equals(last[0])) {
                    last[0] = ids;
                    listener.accept(now);
                }
            }
        };
        @SuppressWarnings("unchecked")
        Stream<String>[] stream = new Stream[1];
        Thread reader = new Thread(() -> {
            tell.run();
            try {
                HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/v3/watch"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(create.toString())).build(), HttpResponse.BodyHandlers.ofLines());
                synchronized (lock) {
                    stream[0] = r.body();
                    if (closed[0]) {
                        r.body().close();
                        return;
                    }
                }
                r.body().forEach(line -> {
                    if (line.contains("\"events\"")) {
                        tell.run();
                    }
                });
            } catch (IOException | RuntimeException e) {
                LOG.debug("watch of {} ended: {}", name, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "meshjoin-etcd-watch-" + name);
        reader.setDaemon(true);
        reader.start();
        return () -> {
            synchronized (lock) {
                closed[0] = true;
                if (stream[0] != null) {
                    stream[0].close();
                }
            }
            reader.interrupt();
        };
    }

    /** Stops refreshing without revoking: the instances expire with the lease, as a crashed node's would. */
    void halt() {
        timer.shutdownNow();
    }

    /** Revokes the lease, so this node's instances disappear at once. */
    @Override
    public void close() {
        timer.shutdownNow();
        synchronized (this) {
            if (lease != 0) {
                try {
                    call("/v3/lease/revoke", JSON.createObjectNode().put("ID", Long.toString(lease)));
                } catch (RuntimeException e) {
                    LOG.info("{}: revoking its lease failed ({}); its services expire with it", node, e.getMessage());
                }
            }
        }
    }

    private JsonNode call(String path, ObjectNode body) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode j = JSON.readTree(r.body());
            if (r.statusCode() != 200 || j == null || j.has("error")) {
                throw new RegistryException("etcd at " + endpoint + " answered " + r.statusCode() + " to " + path + ": "
                        + (j == null ? "" : j.path("message").asText(j.path("error").asText(""))));
            }
            return j;
        } catch (IOException e) {
            throw new RegistryException("cannot reach etcd at " + endpoint + " (" + e + "); check that it runs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while asking etcd", e);
        }
    }

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
