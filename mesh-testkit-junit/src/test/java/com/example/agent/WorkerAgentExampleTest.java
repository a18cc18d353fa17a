package com.example.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.overlay.OverlayState;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.testkit.junit.TestMesh;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WorkerAgentExampleTest {
    @RegisterExtension
    final TestMesh mesh = new TestMesh();

    @Test
    void threeWorkersJoinOneMeshWithTheirOwnAddresses() {
        List<MeshNode> workers = mesh.join(3);

        assertThat(workers).extracting(w -> w.status().state()).containsOnly(NodeState.READY);
        assertThat(workers).extracting(w -> w.status().address().orElseThrow()).doesNotHaveDuplicates();
        assertThat(workers.get(2).network().orElseThrow().lighthouses())
                .extracting(l -> l.name()).containsExactly("node-0");
    }

    @Test
    void myAgentHearsWhenItsOverlayDegradesAndRecovers() {
        mesh.join(1);
        MeshNode agent = mesh.node("agent-7", b -> b.publicEndpoint(null));
        List<NodeState> heard = new CopyOnWriteArrayList<>();
        agent.addListener((before, now) -> heard.add(now.state()));
        assertThat(agent.join().state()).isEqualTo(NodeState.READY);

        mesh.overlay("agent-7").setState(OverlayState.DEGRADED, "no peer answered");
        mesh.overlay("agent-7").setState(OverlayState.UP, "a peer answered");

        assertThat(heard).endsWith(NodeState.READY, NodeState.DEGRADED, NodeState.READY);
    }
}
