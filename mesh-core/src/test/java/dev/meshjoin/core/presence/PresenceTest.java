package dev.meshjoin.core.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.EntryPointRecord;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PresenceTest {
    private static final Duration HEARTBEAT = Duration.ofMinutes(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final MutableClock clock = MutableClock.startingNow();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final StoreKeys keys = StoreKeys.of("test");

    private MemberRecord member(List<String> groups) {
        return new MemberRecord(Versioned.SCHEMA, "n1", "10.42.0.2", groups, Role.MEMBER, null, "fp",
                clock.instant().plus(Duration.ofDays(1)), clock.instant());
    }

    private MemberRecord readMember() {
        Entry e = store.get(keys.member("n1")).orElseThrow();
        return Json.read(e.value(), MemberRecord.class, e.key());
    }

    private Optional<EntryPointRecord> readEntryPoint() {
        return store.get(keys.entryPoint("n1")).map(e -> Json.read(e.value(), EntryPointRecord.class, e.key()));
    }

    private Presence presence(EntryPointSpec spec, Optional<InetAddress> address) {
        return new Presence(store, keys, "n1", clock, HEARTBEAT, spec, () -> address, "10.42.0.2");
    }

    @Test
    void aHeartbeatRefreshesLastSeenAndNothingElse() {
        store.putIfAbsent(keys.member("n1"), Json.write(member(List.of("workers"))));
        Presence p = presence(null, Optional.empty());
        clock.advance(HEARTBEAT);

        p.beat();

        MemberRecord after = readMember();
        assertThat(after.lastSeen()).isEqualTo(clock.instant());
        assertThat(after).isEqualTo(new MemberRecord(Versioned.SCHEMA, "n1", "10.42.0.2", List.of("workers"), Role.MEMBER,
                null, "fp", after.certificateNotAfter(), clock.instant()));
        assertThat(readEntryPoint()).isEmpty();
    }

    @Test
    void aHeartbeatNeverRecreatesAMemberRecordThatWasRemoved() {
        Presence p = presence(null, Optional.empty());
        p.beat();
        assertThat(store.get(keys.member("n1"))).isEmpty();
        assertThat(store.operationCounts().getOrDefault("putIfAbsent", 0L)).isZero();
    }

    @Test
    void anEntryPointIsPublishedOnlyWhileItsPortAcceptsConnections() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        int port = server.getLocalPort();
        Presence p = presence(new EntryPointSpec(port, List.of("http")), Optional.of(LOOPBACK));
        try {
            p.beat();
            EntryPointRecord rec = readEntryPoint().orElseThrow();
            assertThat(rec.port()).isEqualTo(port);
            assertThat(rec.services()).containsExactly("http");
            assertThat(rec.publicAddress()).isEqualTo(LOOPBACK.getHostAddress());
            assertThat(rec.expiresAt()).as("three heartbeats").isEqualTo(clock.instant().plus(HEARTBEAT.multipliedBy(3)));
            assertThat(p.published()).isTrue();

            server.close();
            clock.advance(HEARTBEAT);
            p.beat();
            assertThat(readEntryPoint()).as("nothing listens any more").isEmpty();
            assertThat(p.published()).isFalse();
        } finally {
            server.close();
            p.close();
        }
    }

    @Test
    void withoutAPublicAddressNoEntryPointIsPublished() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
             Presence p = presence(new EntryPointSpec(server.getLocalPort(), List.of()), Optional.empty())) {
            p.beat();
            assertThat(readEntryPoint()).isEmpty();
        }
    }

    @Test
    void closingWithdrawsTheEntryPointAndStopsTheHeartbeat() throws Exception {
        store.putIfAbsent(keys.member("n1"), Json.write(member(List.of())));
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            Presence p = new Presence(store, keys, "n1", clock, Duration.ofMillis(20),
                    new EntryPointSpec(server.getLocalPort(), List.of()), () -> Optional.of(LOOPBACK), "10.42.0.2");
            p.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (store.operationCounts().getOrDefault("compareAndSet", 0L) < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(store.operationCounts().getOrDefault("compareAndSet", 0L)).as("the timer beats").isGreaterThanOrEqualTo(3L);

            p.close();
            assertThat(readEntryPoint()).isEmpty();
            long writes = store.operationCounts().getOrDefault("compareAndSet", 0L);
            Thread.sleep(150);
            assertThat(store.operationCounts().getOrDefault("compareAndSet", 0L)).as("no beat after close").isEqualTo(writes);
        }
    }

    @Test
    void heartbeatsNeverUndoAConcurrentUpdateOfTheMemberRecord() throws Exception {
        store.putIfAbsent(keys.member("n1"), Json.write(member(List.of("v0"))));
        Presence p = presence(null, Optional.empty());
        AtomicBoolean done = new AtomicBoolean();
        int updates = 200;

        List<Integer> seen = Concurrently.run(5, i -> () -> {
            if (i > 0) {
                while (!done.get()) {
                    clock.advance(Duration.ofMillis(1));
                    p.beat();
                }
                return 0;
            }
            int last = 0;
            for (int n = 1; n <= updates; n++) {
                while (true) {
                    Entry e = store.get(keys.member("n1")).orElseThrow();
                    MemberRecord r = Json.read(e.value(), MemberRecord.class, e.key());
                    int current = Integer.parseInt(r.groups().get(0).substring(1));
                    assertThat(current).as("an update was undone").isEqualTo(last);
                    MemberRecord next = new MemberRecord(r.schema(), r.node(), r.overlayAddress(), List.of("v" + n),
                            r.role(), r.publicEndpoint(), r.certificateFingerprint(), r.certificateNotAfter(), r.lastSeen());
                    if (store.compareAndSet(e.key(), e.version(), Json.write(next)).isPresent()) {
                        last = n;
                        break;
                    }
                }
            }
            done.set(true);
            return last;
        });

        assertThat(seen.get(0)).isEqualTo(updates);
        assertThat(readMember().groups()).containsExactly("v" + updates);
        assertThat(readMember().lastSeen()).isAfter(Instant.EPOCH);
    }
}
