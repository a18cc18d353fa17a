package dev.meshjoin.core.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.JoinTransport;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Joiners try every lighthouse in the record, in random order, each within the per-lighthouse timeout. */
class JoinTriesEveryLighthouseTest {

    @Test
    void aLighthouseThatHangsCostsAJoinerOnlyThePerLighthouseTimeout() throws Exception {
        AesGcmTestCodec codec = AesGcmTestCodec.random();
        try (MeshHarness mesh = MeshHarness.builder().caProvider(new TestDoubleCertificateAuthorityProvider(Clock.systemUTC()))
                .caKeyCodec(salt -> codec).build()) {
            MeshNode founder = mesh.node("founder");
            assertThat(founder.join().state()).isEqualTo(NodeState.READY);
            MeshNode second = mesh.node("second", b -> b.lighthouse(true));
            assertThat(second.join().state()).isEqualTo(NodeState.READY);
            Endpoint hanging = founder.signingEndpoint().orElseThrow();
            List<Endpoint> asked = new CopyOnWriteArrayList<>();
            // The founder's service accepts the connection and never answers: the joiner's
            // per-lighthouse deadline must end the wait, and the other lighthouse admit it.
            JoinTransport transport = (at, request, network) -> {
                asked.add(at);
                if (at.equals(hanging)) {
                    try {
                        Thread.sleep(Deadline.current().cap(Duration.ofSeconds(60)).toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new MeshException("timed out waiting for " + at);
                }
                return mesh.joinNetwork().join(at, request, network);
            };
            Set<Endpoint> firstAsked = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                asked.clear();
                long started = System.nanoTime();
                NodeStatus s = mesh.node("joiner-" + i, b -> b.publicEndpoint(null).transport(transport)
                        .lighthouseTimeout(Duration.ofMillis(300))).join();
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY);
                assertThat(tookMs).as("join " + i + " waited for the hanging lighthouse at most once").isLessThan(5_000);
                firstAsked.add(asked.get(0));
            }
            assertThat(firstAsked).as("the order is random").hasSize(2);
        }
    }
}
