package dev.meshjoin.core.testing;

import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.lighthouse.LighthouseWatch;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs many {@link MeshNode}s in one JVM: a shared in-memory store (each node its own client, so
 * the eventual mode behaves as separate locations), an in-process join network, an
 * {@link InMemoryOverlayDriver} per node and a state directory per node under a temporary root.
 *
 * <pre>{@code
 * try (MeshHarness mesh = MeshHarness.builder().caProvider(ca).caKeyCodec(codec).build()) {
 *     List<NodeStatus> all = mesh.joinAll(mesh.names("node", 32));
 * }
 * }</pre>
 */
public final class MeshHarness implements AutoCloseable {
    private final InMemoryBootstrapStore store;
    private final java.util.function.Function<String, dev.meshjoin.api.store.BootstrapStore> storeFactory;
    private final CertificateAuthorityProvider caProvider;
    private final SecretCodecFactory caKeyCodec;
    private final InProcessJoinNetwork network = new InProcessJoinNetwork();
    private final SharedSecretAdmission admission;
    private final Clock clock;
    private final Path root;
    private final Duration joinTimeout;
    private final Map<String, MeshNode> nodes = new ConcurrentHashMap<>();
    private final Map<String, InMemoryOverlayDriver> overlays = new ConcurrentHashMap<>();

    private MeshHarness(Builder b) {
        this.store = b.store;
        this.storeFactory = b.storeFactory != null ? b.storeFactory : store::client;
        this.caProvider = b.caProvider;
        this.caKeyCodec = b.caKeyCodec;
        this.clock = b.clock;
        this.joinTimeout = b.joinTimeout;
        this.admission = new SharedSecretAdmission(b.secret, b.allowedGroups);
        try {
            this.root = Files.createTempDirectory("mesh-harness");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public InMemoryBootstrapStore store() {
        return store;
    }

    public InProcessJoinNetwork joinNetwork() {
        return network;
    }

    /** {@code prefix-0 .. prefix-(n-1)}. */
    public List<String> names(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + "-" + i);
        }
        return out;
    }

    /** The state directory the harness gives a node. */
    public Path stateDirectory(String name) {
        return root.resolve(name);
    }

    /**
     * A node builder wired to the harness. Every node gets a public endpoint (a name under
     * {@code .mesh.test}, reachable only in-process), so any may found.
     */
    public MeshNode.Builder nodeBuilder(String name) {
        InMemoryOverlayDriver overlay = overlays.computeIfAbsent(name, n -> new InMemoryOverlayDriver());
        return MeshNode.builder()
                .nodeName(name)
                .networkName("test")
                .store(storeFactory.apply(name))
                .certificateAuthorities(caProvider)
                .overlay(overlay)
                .caKeyCodec(caKeyCodec)
                .transport(network)
                .signingServers(network)
                .stateServers(network)
                .stateChannel(network)
                // Followers tick when a test says so (MeshNode.follower().tick()), not in the background.
                .pollInterval(Duration.ofHours(1))
                .lighthouseRefresh(Duration.ofHours(1))
                .admission(admission)
                .credentials(admission)
                // Every harness node knows the network secret, whatever credential a test gives it.
                .recordMacKeys(admission)
                .publicEndpoint(new Endpoint(name + ".mesh.test", 4242))
                .stateDirectory(stateDirectory(name))
                .clock(clock)
                .joinTimeout(joinTimeout)
                // A lighthouse answers while its in-process signing service runs. Rounds are driven by
                // the tests (node.lighthouseWatch().round()), with their clock, not by the timer.
                .lighthouseProbe(lh -> network.listening().contains(lh.signingEndpoint()))
                .lighthouseWatch(new LighthouseWatch.Settings(Duration.ofHours(1), Duration.ofMinutes(10), 2,
                        Duration.ofMinutes(2)));
    }

    /** Builds (and remembers, for {@link #close()}) a node from {@link #nodeBuilder(String)}. */
    public MeshNode node(String name, Consumer<MeshNode.Builder> customise) {
        MeshNode.Builder b = nodeBuilder(name);
        customise.accept(b);
        MeshNode node = b.build();
        MeshNode previous = nodes.put(name, node);
        if (previous != null) {
            previous.close();
        }
        return node;
    }

    public MeshNode node(String name) {
        return node(name, b -> { });
    }

    /** A replacement overlay for a node, before it is built (to make one fail, say). */
    public InMemoryOverlayDriver overlay(String name) {
        return overlays.computeIfAbsent(name, n -> new InMemoryOverlayDriver());
    }

    public void replaceOverlay(String name, InMemoryOverlayDriver overlay) {
        overlays.put(name, overlay);
    }

    /** Builds the named nodes and has them all call {@link MeshNode#join()} at the same instant. */
    public List<NodeStatus> joinAll(List<String> names) throws Exception {
        List<MeshNode> built = new ArrayList<>();
        for (String n : names) {
            built.add(node(n));
        }
        ExecutorService pool = Executors.newFixedThreadPool(names.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<NodeStatus>> futures = new ArrayList<>();
            for (MeshNode node : built) {
                Callable<NodeStatus> c = () -> {
                    start.await();
                    return node.join();
                };
                futures.add(pool.submit(c));
            }
            start.countDown();
            List<NodeStatus> out = new ArrayList<>();
            for (Future<NodeStatus> f : futures) {
                out.add(f.get(joinTimeout.toSeconds() + 30, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void close() {
        nodes.values().forEach(MeshNode::close);
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Configures a {@link MeshHarness}. */
    public static final class Builder {
        private InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
        private java.util.function.Function<String, dev.meshjoin.api.store.BootstrapStore> storeFactory;
        private CertificateAuthorityProvider caProvider;
        private SecretCodecFactory caKeyCodec;
        private Clock clock = Clock.systemUTC();
        private Duration joinTimeout = Duration.ofSeconds(30);
        private String secret = "harness-network-secret";
        private List<String> allowedGroups = List.of("workers", "gpu");

        private Builder() {
        }

        public Builder store(InMemoryBootstrapStore v) { this.store = v; return this; }
        /** Gives each node its own client of another store (a Cloudflare KV client per node, say). */
        public Builder storeFactory(java.util.function.Function<String, dev.meshjoin.api.store.BootstrapStore> v) {
            this.storeFactory = v;
            return this;
        }
        public Builder caProvider(CertificateAuthorityProvider v) { this.caProvider = v; return this; }
        public Builder caKeyCodec(SecretCodecFactory v) { this.caKeyCodec = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        public Builder joinTimeout(Duration v) { this.joinTimeout = v; return this; }
        public Builder secret(String v) { this.secret = v; return this; }
        public Builder allowedGroups(List<String> v) { this.allowedGroups = List.copyOf(v); return this; }

        public MeshHarness build() {
            if (caProvider == null || caKeyCodec == null) {
                throw new IllegalStateException("MeshHarness needs a caProvider and a caKeyCodec");
            }
            return new MeshHarness(this);
        }
    }
}
