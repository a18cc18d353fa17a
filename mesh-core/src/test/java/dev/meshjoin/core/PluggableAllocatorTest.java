package dev.meshjoin.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ip.IpAllocator;
import dev.meshjoin.api.ip.IpAllocatorFactory;
import dev.meshjoin.api.ip.Lease;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The builder's IpAllocatorFactory decides joiners' addresses; nothing is leased in the store then. */
class PluggableAllocatorTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final MeshHarness mesh = MeshHarness.builder().store(store).clock(clock)
            .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build();

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    /** Hands out addresses from the top of the network down, as an outside address manager might. */
    private static final class TopDown implements IpAllocator {
        final Ipv4Cidr network;
        final Supplier<Set<Ipv4Address>> reserved;
        final Map<String, Lease> leases = new ConcurrentHashMap<>();

        TopDown(Ipv4Cidr network, Supplier<Set<Ipv4Address>> reserved) {
            this.network = network;
            this.reserved = reserved;
        }

        @Override public Ipv4Cidr network() { return network; }
        @Override public synchronized Lease allocate(String node, String keyId, Instant holdUntil) {
            Ipv4Address a = network.addressAt(network.size() - 2 - leases.size());
            return claim(a, node, keyId, holdUntil);
        }
        @Override public Lease claim(Ipv4Address address, String node, String keyId, Instant holdUntil) {
            Lease l = new Lease(address, node, keyId, Instant.now(), holdUntil, Optional.empty());
            leases.put(node, l);
            return l;
        }
        @Override public Lease extend(String node, String keyId, Instant holdUntil) { return leases.get(node); }
        @Override public Optional<Lease> release(String node) { return Optional.ofNullable(leases.remove(node)); }
        @Override public Optional<Lease> leaseOf(String node) { return Optional.ofNullable(leases.get(node)); }
        @Override public List<Lease> leases() { return List.copyOf(leases.values()); }
        @Override public Set<Ipv4Address> reserved() { return reserved.get(); }
    }

    @Test
    void aLighthouseHandsOutTheAddressesOfThePluggedInAllocator() {
        TopDown[] made = new TopDown[1];
        IpAllocatorFactory factory = (cidr, reserved) -> made[0] = new TopDown(cidr, reserved);
        assertThat(mesh.node("alpha", b -> b.ipAllocator(factory)).join().state()).isEqualTo(NodeState.READY);

        NodeStatus beta = mesh.node("beta").join();

        assertThat(beta.state()).as(beta.detail()).isEqualTo(NodeState.READY);
        assertThat(beta.address().orElseThrow().address().toString()).isEqualTo("10.42.255.253");
        assertThat(made[0].leases).containsKeys("alpha", "beta");
        assertThat(made[0].reserved()).contains(Ipv4Address.parse("10.42.0.1"));
        assertThat(store.list("mesh/test/ip")).as("no lease was written to the store").isEmpty();
    }
}
