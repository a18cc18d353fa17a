package dev.meshjoin.testkit.junit;

import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.lifecycle.StateFollower;
import dev.meshjoin.core.testing.InProcessJoinNetwork;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A ready mesh for a test, as easy as {@code new MockWebServer()}: an in-memory store, the real
 * Nebula certificate authority (pure Java), an in-memory overlay per node and the join network
 * carried by method call, so nodes run the real join, election, signing and state service in one
 * JVM without root, nebula or a network. {@link #join(int)} gives N READY nodes in one line.
 *
 * <pre>{@code
 * @RegisterExtension
 * final TestMesh mesh = new TestMesh();          // closed after each test
 *
 * @Test
 * void threeWorkersJoin() {
 *     List<MeshNode> nodes = mesh.join(3);       // node-0 founds, node-1 and node-2 join it
 * }
 * }</pre>
 *
 * Register it on an instance field (a mesh per test), or use {@code @ExtendWith(TestMesh.class)}
 * with a {@code TestMesh} test parameter, or use it without JUnit in try-with-resources. The overlay carries no packets: what a node would send over
 * it is the application's business; the mesh's own state (addresses, certificates, lighthouses,
 * presence, entry points) is all real.
 */
public final class TestMesh implements AutoCloseable, AfterEachCallback, ParameterResolver {
    private final MeshHarness harness;
    private final InMemoryBootstrapStore store;
    private final Map<String, MeshNode> nodes = new ConcurrentHashMap<>();
    private final Duration certificateValidity;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private static final String KEY = "mesh";

    /** A mesh with every default: a linearizable store, the system clock, 30-day certificates. */
    public TestMesh() {
        this(builder());
    }

    private TestMesh(Builder b) {
        this.store = b.store != null ? b.store : InMemoryBootstrapStore.linearizable(b.clock);
        this.certificateValidity = b.certificateValidity;
        AesGcmTestCodec codec = AesGcmTestCodec.random();
        this.harness = MeshHarness.builder().store(store).clock(b.clock).joinTimeout(b.joinTimeout)
                .caProvider(new NebulaCertificateAuthorityProvider(b.clock, new SecureRandom()))
                .caKeyCodec(salt -> codec).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds and joins {@code n} nodes named {@code node-0 .. node-(n-1)} and returns them READY:
     * when the mesh has no node yet the first founds it (and serves as its lighthouse), the others
     * join at once, in parallel, as members. Calling it again adds more members.
     *
     * @throws AssertionError naming the node and why, when one does not become READY
     */
    public List<MeshNode> join(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("join(n) needs n >= 1, got " + n);
        }
        List<MeshNode> out = new ArrayList<>();
        int first = nodes.size();
        int i = first;
        if (first == 0) {
            out.add(joined(node("node-0", b -> { })));
            i++;
        }
        List<MeshNode> members = new ArrayList<>();
        for (; i < first + n; i++) {
            members.add(node("node-" + i, b -> b.publicEndpoint(null)));
        }
        out.addAll(joinAll(members));
        return out;
    }

    /**
     * A node wired to this mesh, not joined yet; {@code customise} sets anything else on its
     * builder (groups, entry point, {@code publicEndpoint(null)} for a node that never serves).
     * Every node has a public endpoint by default, so it may found or serve. A node with the name
     * of an earlier one replaces it (the earlier is closed), with the same state directory.
     */
    public MeshNode node(String name, Consumer<MeshNode.Builder> customise) {
        MeshNode node = harness.node(name, b -> customise.accept(b.certificateValidity(certificateValidity)));
        nodes.put(name, node);
        return node;
    }

    /** {@link #node(String, Consumer)} with the defaults. */
    public MeshNode node(String name) {
        return node(name, b -> { });
    }

    /** The builder of a node wired to this mesh, for code that builds its own {@link MeshNode} (not closed by the mesh). */
    public MeshNode.Builder nodeBuilder(String name) {
        return harness.nodeBuilder(name).certificateValidity(certificateValidity);
    }

    /** The node built with this name; throws when there is none. */
    public MeshNode get(String name) {
        MeshNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node named " + name + " in this mesh; nodes: " + nodes.keySet());
        }
        return n;
    }

    /**
     * Every ready node polls its lighthouse once (members) or refreshes from the store (lighthouses),
     * as they would at their intervals: presence, renewals and revocations move on. The mesh's nodes
     * do not poll by themselves, so that tests decide when time passes.
     */
    public void poll() {
        nodes.values().stream().filter(n -> n.stateService().isEmpty()).forEach(TestMesh::tick);
        nodes.values().stream().filter(n -> n.stateService().isPresent()).forEach(TestMesh::tick);
    }

    private static void tick(MeshNode n) {
        n.follower().ifPresent(StateFollower::tick);
    }

    /** The store every node shares (each through its own client). */
    public InMemoryBootstrapStore store() {
        return store;
    }

    /** The in-memory overlay of a node: set its health to see how the node and the application react. */
    public InMemoryOverlayDriver overlay(String name) {
        return harness.overlay(name);
    }

    /** The join network: every join request sent, and {@code offline(address, true)} to cut a node off. */
    public InProcessJoinNetwork joinNetwork() {
        return harness.joinNetwork();
    }

    /** The harness underneath, for what this class does not offer. */
    public MeshHarness harness() {
        return harness;
    }

    private static MeshNode joined(MeshNode n) {
        NodeStatus s = n.join();
        if (s.state() != NodeState.READY) {
            throw new AssertionError(n.nodeName() + " did not become READY but " + s.state() + ": " + s.detail(),
                    s.cause().orElse(null));
        }
        return n;
    }

    private static List<MeshNode> joinAll(List<MeshNode> members) {
        if (members.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(members.size(), 16));
        try {
            List<Future<MeshNode>> futures = new ArrayList<>();
            members.forEach(m -> futures.add(pool.submit(() -> joined(m))));
            List<MeshNode> out = new ArrayList<>();
            for (Future<MeshNode> f : futures) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while the nodes joined", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Closes every node and deletes their state directories; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            harness.close();
            nodes.clear();
        }
    }

    /** Closes this mesh (registered as a field) and the one given to the test as a parameter, if any. */
    @Override
    public void afterEach(ExtensionContext context) {
        TestMesh given = context.getStore(namespace(context)).remove(KEY, TestMesh.class);
        if (given != null) {
            given.close();
        }
        close();
    }

    private static ExtensionContext.Namespace namespace(ExtensionContext context) {
        return ExtensionContext.Namespace.create(TestMesh.class, context.getUniqueId());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestMesh.class;
    }

    /** A fresh mesh per test method, closed after it (the store closes what it holds). */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(namespace(context)).getOrComputeIfAbsent(KEY, k -> new TestMesh(), TestMesh.class);
    }

    /** Configures a {@link TestMesh}; each setter's Javadoc gives its default. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private InMemoryBootstrapStore store;
        private Duration certificateValidity = Duration.ofDays(30);
        private Duration joinTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** The clock of the store, the CA and every node (a {@code MutableClock} to move time); default the system clock. */
        public Builder clock(Clock v) { clock = Objects.requireNonNull(v); return this; }
        /** The store; default a linearizable in-memory one on the mesh's clock ({@code eventual(..)} to test against KV-like delays). */
        public Builder store(InMemoryBootstrapStore v) { store = Objects.requireNonNull(v); return this; }
        /** Validity of the certificates the founder issues; default 30 days. */
        public Builder certificateValidity(Duration v) { certificateValidity = Objects.requireNonNull(v); return this; }
        /** How long each join may take; default 30 s. */
        public Builder joinTimeout(Duration v) { joinTimeout = Objects.requireNonNull(v); return this; }

        public TestMesh build() {
            return new TestMesh(this);
        }
    }
}
