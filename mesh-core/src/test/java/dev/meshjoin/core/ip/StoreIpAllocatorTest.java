package dev.meshjoin.core.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ip.AllocationException;
import dev.meshjoin.api.ip.Lease;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.LeaseRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StoreIpAllocatorTest {
    private final MutableClock clock = MutableClock.startingNow();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final StoreKeys keys = StoreKeys.of("t");

    private StoreIpAllocator allocator(String cidr, Set<Ipv4Address> lighthouses) {
        return new StoreIpAllocator(store, keys, Ipv4Cidr.parse(cidr), clock, () -> lighthouses);
    }

    private Instant inDays(int d) {
        return clock.instant().plus(Duration.ofDays(d));
    }

    @Test
    void neverHandsOutReservedAddresses() {
        Ipv4Address lh = Ipv4Address.parse("10.0.0.1");
        StoreIpAllocator a = allocator("10.0.0.0/29", Set.of(lh));
        List<Ipv4Address> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(a.allocate("n" + i, "k" + i, inDays(1)).address());
        }
        assertThat(got).doesNotContain(lh, Ipv4Address.parse("10.0.0.0"), Ipv4Address.parse("10.0.0.7"))
                .doesNotHaveDuplicates();
        assertThatThrownBy(() -> a.allocate("n5", "k5", inDays(1))).isInstanceOf(AllocationException.class)
                .hasMessageContaining("is full").hasMessageContaining("larger CIDR");
    }

    @Test
    void isIdempotentForTheSameNodeAndKeyAndRefusesAnotherKey() {
        StoreIpAllocator a = allocator("10.0.0.0/24", Set.of());
        Lease first = a.allocate("worker", "key-1", inDays(1));
        Lease again = a.allocate("worker", "key-1", inDays(2));
        assertThat(again.address()).isEqualTo(first.address());
        assertThat(again.holdUntil()).isEqualTo(inDays(2));
        assertThatThrownBy(() -> a.allocate("worker", "key-2", inDays(1))).isInstanceOf(AllocationException.class)
                .hasMessageContaining("held by another key");
        assertThat(a.leases()).hasSize(1);
    }

    @Test
    void aReleasedAddressIsHeldUntilItsCertificateExpires() {
        StoreIpAllocator a = allocator("10.0.0.0/30", Set.of());
        Lease only = a.allocate("one", "k1", inDays(1));
        a.allocate("two", "k2", inDays(1));
        assertThat(a.release("one")).map(Lease::address).contains(only.address());
        assertThat(a.leaseOf("one")).isEmpty();
        assertThatThrownBy(() -> a.allocate("three", "k3", inDays(1))).isInstanceOf(AllocationException.class);

        clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(a.allocate("three", "k3", inDays(3)).address()).isEqualTo(only.address());
    }

    @Test
    void aPendingLeaseLeftByACrashFreesItself() {
        StoreIpAllocator a = allocator("10.0.0.0/30", Set.of());
        // What a lighthouse that crashed between the lease write and the index write leaves behind.
        LeaseRecord pending = new LeaseRecord(Versioned.SCHEMA, "10.0.0.1", "crashed", "k", clock.instant(),
                inDays(1), null, true);
        store.putIfAbsent(keys.lease(Ipv4Address.parse("10.0.0.1")), Json.write(pending), Duration.ofMinutes(2));
        a.allocate("b", "kb", inDays(1));
        assertThatThrownBy(() -> a.allocate("c", "kc", inDays(1))).isInstanceOf(AllocationException.class);
        assertThat(a.leases()).extracting(Lease::node).containsExactly("b");

        clock.advance(Duration.ofMinutes(3));
        assertThat(a.allocate("c", "kc", inDays(1)).address()).isEqualTo(Ipv4Address.parse("10.0.0.1"));
    }

    @Test
    void claimTakesOneAddressAndRefusesItToOthers() {
        StoreIpAllocator a = allocator("10.0.0.0/24", Set.of());
        Ipv4Address x = Ipv4Address.parse("10.0.0.9");
        assertThat(a.claim(x, "lh", "k", inDays(1)).address()).isEqualTo(x);
        assertThat(a.claim(x, "lh", "k", inDays(1)).address()).isEqualTo(x);
        assertThatThrownBy(() -> a.claim(x, "other", "k2", inDays(1))).isInstanceOf(AllocationException.class);
        assertThatThrownBy(() -> a.claim(Ipv4Address.parse("10.0.1.1"), "x", "k", inDays(1)))
                .hasMessageContaining("not a host address");
    }

    @Test
    void concurrentAllocatorsOnOneStoreNeverHandOutADuplicate() throws Exception {
        // Four allocators, as four lighthouses on a linearizable store, 200 nodes at once.
        List<StoreIpAllocator> allocators = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            allocators.add(new StoreIpAllocator(store.client("lh" + i), keys, Ipv4Cidr.parse("10.1.0.0/16"), clock, Set::of));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Lease>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return allocators.get(n % 4).allocate("node-" + n, "key-" + n, inDays(1));
                }));
            }
            go.countDown();
            Set<Ipv4Address> seen = new HashSet<>();
            for (Future<Lease> f : futures) {
                assertThat(seen.add(f.get(60, TimeUnit.SECONDS).address())).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(allocators.get(0).leases()).hasSize(200);
    }

    @Test
    void aTamperedLeaseIsReportedNotOverwritten() {
        StoreIpAllocator a = allocator("10.0.0.0/24", Set.of());
        a.allocate("w", "k", inDays(1));
        String idx = keys.leaseOfNode("w");
        var e = store.get(idx).orElseThrow();
        store.compareAndSet(idx, e.version(), "{\"schema\":1,\"node\":\"w\"".getBytes());
        assertThatThrownBy(() -> a.allocate("w", "k", inDays(1))).isInstanceOf(Json.CorruptRecordException.class)
                .hasMessageContaining(idx).hasMessageContaining("left untouched");
        assertThat(store.get(idx).orElseThrow().text()).isEqualTo("{\"schema\":1,\"node\":\"w\"");
    }

    @Test
    void lighthousesOnAnEventualStoreAllocateFromDisjointHalvingSlices() {
        InMemoryBootstrapStore eventual = InMemoryBootstrapStore.eventual(Duration.ofSeconds(5), clock);
        Ipv4Cidr cidr = Ipv4Cidr.parse("10.9.0.0/24");
        List<StoreIpAllocator> lhs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lhs.add(new StoreIpAllocator(eventual.client("lh" + i), keys, cidr, clock, Set::of, i, Instant.MIN));
        }
        // 254 hosts: the founder takes .1-.127 (254 - 127), the next .128-.191 (254 - 63), the third .192-.223.
        assertThat(lhs.get(0).range()).containsExactly(Ipv4Address.parse("10.9.0.1"), Ipv4Address.parse("10.9.0.127"));
        assertThat(lhs.get(1).range()).containsExactly(Ipv4Address.parse("10.9.0.128"), Ipv4Address.parse("10.9.0.191"));
        assertThat(lhs.get(2).range()).containsExactly(Ipv4Address.parse("10.9.0.192"), Ipv4Address.parse("10.9.0.223"));
        // Each sees none of the others' fresh leases (5 s delay), and still no address repeats.
        Set<Ipv4Address> seen = new HashSet<>();
        for (int n = 0; n < 30; n++) {
            for (int i = 0; i < 3; i++) {
                Ipv4Address a = lhs.get(i).allocate("n" + i + "-" + n, "k" + i + "-" + n, inDays(1)).address();
                assertThat(seen.add(a)).as(a + " twice").isTrue();
                long last = cidr.offsetOf(lhs.get(i).range().get(1));
                assertThat(cidr.offsetOf(a)).isBetween(cidr.offsetOf(lhs.get(i).range().get(0)), last);
            }
        }
        // A linearizable store ignores slices: every lighthouse may use the whole range.
        StoreIpAllocator whole = new StoreIpAllocator(store, keys, cidr, clock, Set::of, 3, Instant.MIN);
        assertThat(whole.range()).containsExactly(Ipv4Address.parse("10.9.0.1"), Ipv4Address.parse("10.9.0.254"));
    }

    @Test
    void aLighthouseWithoutASliceIsRefusedWithAMessage() {
        InMemoryBootstrapStore eventual = InMemoryBootstrapStore.eventual(Duration.ofSeconds(5), clock);
        assertThatThrownBy(() -> new StoreIpAllocator(eventual, keys, Ipv4Cidr.parse("10.9.0.0/29"), clock, Set::of, 3,
                Instant.MIN)).isInstanceOf(dev.meshjoin.api.ConfigurationException.class)
                .hasMessageContaining("lighthouse number 4 has none left").hasMessageContaining("linearizable store");
        assertThatThrownBy(() -> new StoreIpAllocator(eventual, keys, Ipv4Cidr.parse("10.9.0.0/16"), clock, Set::of, 16,
                Instant.MIN)).hasMessageContaining("at most 16 lighthouses");
    }

    @Test
    void aRestartedLighthouseAllocatesNothingBeforeItsHoldOffAndFailsAtOnceWhenTheDeadlineIsSooner() {
        InMemoryBootstrapStore eventual = InMemoryBootstrapStore.eventual(Duration.ofSeconds(5), clock);
        StoreIpAllocator a = new StoreIpAllocator(eventual, keys, Ipv4Cidr.parse("10.9.0.0/24"), clock, Set::of, 0,
                clock.instant().plusSeconds(11));
        try (var scope = dev.meshjoin.api.retry.Deadline.after(Duration.ofSeconds(2)).enter()) {
            assertThatThrownBy(() -> a.allocate("n", "k", inDays(1))).isInstanceOf(AllocationException.class)
                    .hasMessageContaining("restarted moments ago");
        }
        assertThat(eventual.list(keys.leases())).isEmpty();
        clock.advance(Duration.ofSeconds(11));
        assertThat(a.allocate("n", "k", inDays(1)).address()).isEqualTo(Ipv4Address.parse("10.9.0.1"));
    }
}
