package dev.meshjoin.store.cloudflare;

import dev.meshjoin.core.secret.SecretCodecs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.harness.MeshHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ten nodes (in-process, in-memory overlay, each with its own client) found and join at once
 * through the Durable Object store on workerd. The store is linearizable, so nobody waits for a
 * propagation bound: the whole join takes seconds, not the minutes of Workers KV.
 */
class DoMeshJoinIT {
    private MeshHarness mesh;

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void tenNodesFoundAndJoinAtOnceWithOneFounderTenAddressesAndNoPropagationWait() throws Exception {
        StoreWorker.dev(); // started (or skipped) before the clock runs
        String prefix = StoreWorker.freshPrefix();
        mesh = MeshHarness.builder()
                .storeFactory(name -> StoreWorker.store(prefix))
                .caProvider(new TestDoubleCertificateAuthorityProvider())
                .caKeyCodec(SecretCodecs.passphrase("do-ca-passphrase".toCharArray()))
                .joinTimeout(Duration.ofSeconds(60)).build();
        long started = System.nanoTime();
        List<NodeStatus> all = mesh.joinAll(mesh.names("do", 10));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(all).allSatisfy(s -> assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY));
        assertThat(all.stream().filter(NodeStatus::founder).count()).isEqualTo(1);
        assertThat(all.stream().map(s -> s.address().orElseThrow().address()).distinct().count()).isEqualTo(10);
        assertThat(StoreWorker.store(prefix).consistency().isLinearizable()).isTrue();
        // Well under one 60 s propagation bound of Workers KV, which an eventual store would wait twice.
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        try (CloudflareDoStore reader = StoreWorker.store(prefix)) {
            assertThat(reader.list("mesh/test/members/")).extracting(KeyVersion::key).hasSize(10);
        }
        System.out.println("10 nodes joined through the Durable Object store in " + took.toMillis() + " ms");
    }
}
