package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.testkit.store.CountingStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Store writes of a steady mesh over one simulated day at the defaults (members poll every 15 s,
 * the lighthouse refreshes every 5 s and writes its presence record at most every 30 minutes),
 * counted per node through the store client each node holds, on a linearizable and on an
 * eventually consistent store. Prints the figures the README and docs/lifecycle.md quote.
 */
class StoreWritesPerDayTest {
    private static final int MEMBERS = 20;
    private static final Duration POLL = Duration.ofSeconds(15);
    private static final Duration REFRESH = Duration.ofSeconds(5);

    /** Runs the clock forward in real time while nodes join, so that an eventual store's bound passes. */
    private static Thread ticking(MutableClock clock) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                clock.advance(Duration.ofMillis(50));
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private long[] measure(InMemoryBootstrapStore store, MutableClock clock) throws Exception {
        Map<String, CountingStore> clients = new ConcurrentHashMap<>();
        AesGcmTestCodec codec = AesGcmTestCodec.random();
        try (MeshHarness mesh = MeshHarness.builder().store(store).clock(clock).joinTimeout(Duration.ofSeconds(60))
                .storeFactory(name -> clients.computeIfAbsent(name, n -> new CountingStore(store.client(n))))
                .caProvider(new TestDoubleCertificateAuthorityProvider(clock)).caKeyCodec(salt -> codec).build()) {
            Thread ticker = ticking(clock);
            MeshNode lh = mesh.node("lh", b -> b.pollInterval(POLL).lighthouseRefresh(REFRESH));
            assertThat(lh.join().state()).isEqualTo(NodeState.READY);
            List<MeshNode> members = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                MeshNode m = mesh.node("m-" + i, b -> b.publicEndpoint(null).pollInterval(POLL));
                assertThat(m.join().state()).isEqualTo(NodeState.READY);
                members.add(m);
            }
            ticker.interrupt();
            ticker.join();
            Map<String, Long> before = new ConcurrentHashMap<>();
            clients.forEach((n, c) -> before.put(n, c.counts().writes()));
            long steps = Duration.ofDays(1).dividedBy(REFRESH);
            long perPoll = POLL.dividedBy(REFRESH);
            for (long s = 1; s <= steps; s++) {
                clock.advance(REFRESH);
                lh.follower().orElseThrow().tick();
                if (s % perPoll == 0) {
                    for (MeshNode m : members) {
                        m.follower().orElseThrow().tick();
                    }
                }
            }
            long memberWrites = 0;
            for (int i = 0; i < MEMBERS; i++) {
                memberWrites += clients.get("m-" + i).counts().writes() - before.get("m-" + i);
            }
            long lighthouseWrites = clients.get("lh").counts().writes() - before.get("lh");
            long polls = members.stream().mapToLong(m -> m.follower().orElseThrow().counts()[0]).sum();
            assertThat(members).allSatisfy(m -> assertThat(m.status().state()).isEqualTo(NodeState.READY));
            return new long[] {memberWrites, lighthouseWrites, polls};
        }
    }

    private void report(String store, long[] r) {
        System.out.printf("store writes over one day, %s store, %d members + 1 lighthouse at the defaults: "
                        + "members %d (%.2f per member), lighthouse %d; per member incl. the lighthouse's share %.2f;"
                        + " %d polls answered%n", store, MEMBERS, r[0], (double) r[0] / MEMBERS, r[1],
                (double) (r[0] + r[1]) / MEMBERS, r[2]);
    }

    @Test
    void aSteadyMeshWritesNothingPerMemberAndOneRecordPerLighthousePerHalfHour() throws Exception {
        MutableClock clock = MutableClock.startingNow();
        long[] r = measure(InMemoryBootstrapStore.linearizable(clock), clock);
        report("linearizable", r);
        assertThat(r[0]).as("members write nothing in a day").isZero();
        assertThat(r[1]).as("one aggregated presence write per 30 minutes").isBetween(48L, 49L);
        assertThat(r[2]).isGreaterThanOrEqualTo(MEMBERS * 5760L - MEMBERS);
    }

    @Test
    void onAnEventualStoreToo() throws Exception {
        MutableClock clock = MutableClock.startingNow();
        long[] r = measure(InMemoryBootstrapStore.eventual(Duration.ofMillis(200), clock), clock);
        report("eventual", r);
        assertThat(r[0]).as("members write nothing in a day").isZero();
        // A compare-and-set of its own record can be refused while the store does not show the
        // lighthouse its previous write yet; each retried attempt is a write request and counts.
        assertThat(r[1]).as("one aggregated presence write per 30 minutes, and a few retries").isBetween(48L, 60L);
    }
}
