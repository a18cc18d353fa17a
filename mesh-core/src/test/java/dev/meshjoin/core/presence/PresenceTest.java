package dev.meshjoin.core.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.core.lifecycle.LivePresence;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.PresenceRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.testkit.Concurrently;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PresenceTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final MutableClock clock = MutableClock.startingNow();
    private final InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable(clock);
    private final StoreKeys keys = StoreKeys.of("test");

    private HostCertificate cert() {
        return new HostCertificate(new byte[] {1}, "fp-1", "n1", List.of(Ipv4Interface.parse("10.42.0.2/16")),
                List.of(), clock.instant(), clock.instant().plus(Duration.ofDays(1)), new byte[32], false, "ca");
    }

    private long writes() {
        var c = store.operationCounts();
        return c.getOrDefault("putIfAbsent", 0L) + c.getOrDefault("compareAndSet", 0L) + c.getOrDefault("delete", 0L);
    }

    @Test
    void aBeatOffersTheEntryPointOnlyWhileItsPortAcceptsConnectionsAndWritesNothing() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        int port = server.getLocalPort();
        Presence p = new Presence("n1", new EntryPointSpec(port, List.of("http")), () -> Optional.of(LOOPBACK), "198.51.100.4:4242");
        Beat beat = p.beat(cert());
        assertThat(beat.entryPoint()).isEqualTo(new Beat.EntryPoint(LOOPBACK.getHostAddress(), port, List.of("http")));
        assertThat(beat.certificateFingerprint()).isEqualTo("fp-1");
        assertThat(beat.publicEndpoint()).isEqualTo("198.51.100.4:4242");
        assertThat(p.published()).isTrue();
        server.close();
        assertThat(p.beat(cert()).entryPoint()).as("nothing listens any more").isNull();
        assertThat(p.published()).isFalse();
        assertThat(store.operationCounts()).isEmpty();
    }

    @Test
    void withoutAPublicAddressNoEntryPointIsOffered() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            Presence p = new Presence("n1", new EntryPointSpec(server.getLocalPort(), List.of()), Optional::empty, null);
            assertThat(p.beat(cert()).entryPoint()).isNull();
        }
    }

    @Test
    void aLighthouseWritesOnChangeAndOtherwiseOncePerInterval() {
        LivePresence live = new LivePresence(store, keys, "lh", clock, Duration.ofMinutes(30), Duration.ofMinutes(1));
        Beat beat = new Beat("n1", "fp-1", null, null, false);
        live.seen("n1", Ipv4Address.parse("10.42.0.2"), beat);
        assertThat(writes()).as("a new member is a change").isEqualTo(1);
        for (int i = 0; i < 119; i++) {
            clock.advance(Duration.ofSeconds(15));
            live.seen("n1", Ipv4Address.parse("10.42.0.2"), beat);
            live.sweep();
        }
        assertThat(writes()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(15));
        live.sweep();
        assertThat(writes()).as("the interval passed").isEqualTo(2);
        clock.advance(Duration.ofSeconds(61));
        live.sweep();
        assertThat(writes()).as("a silent member is dropped: a change").isEqualTo(3);
        PresenceRecord rec = Json.read(store.get(keys.presence("lh")).orElseThrow().value(), PresenceRecord.class, "p");
        assertThat(rec.members()).isEmpty();
    }

    @Test
    void fortyMembersPollingAtOnceAreAllRecordedAndTheWritesStayFewerThanThePolls() throws Exception {
        LivePresence live = new LivePresence(store, keys, "lh", clock, Duration.ofMinutes(30), Duration.ofMinutes(1));
        int members = 40;
        Concurrently.run(members, i -> () -> {
            for (int round = 0; round < 20; round++) {
                live.seen("n" + i, Ipv4Address.parse("10.42.1." + (i + 1)), new Beat("n" + i, "fp-" + i, null, null, false));
            }
            return i;
        });
        PresenceRecord rec = Json.read(store.get(keys.presence("lh")).orElseThrow().value(), PresenceRecord.class, "p");
        assertThat(rec.members()).hasSize(members);
        assertThat(live.writes()).as("one write per member that appeared, none per repeated poll").isEqualTo(members);
    }
}
