package dev.meshjoin.core.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.core.NodeState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransitionsTest {

    @Test
    void theMovesOfASuccessfulFoundingJoinRecoveryAndPromotionAreAllowed() {
        assertPath(NodeState.NEW, NodeState.DISCOVERING, NodeState.ELECTING, NodeState.FOUNDING,
                NodeState.STARTING_OVERLAY, NodeState.REGISTERING, NodeState.READY, NodeState.DEGRADED, NodeState.READY,
                NodeState.LEAVING, NodeState.LEFT);
        assertPath(NodeState.NEW, NodeState.DISCOVERING, NodeState.JOINING, NodeState.STARTING_OVERLAY);
        assertPath(NodeState.LEFT, NodeState.DISCOVERING, NodeState.RECOVERING, NodeState.STARTING_OVERLAY);
        assertPath(NodeState.FAILED, NodeState.DISCOVERING, NodeState.PROMOTING, NodeState.STARTING_OVERLAY);
        assertPath(NodeState.ELECTING, NodeState.ELECTING, NodeState.JOINING);
        assertPath(NodeState.FOUNDING, NodeState.DISCOVERING, NodeState.JOINING);
    }

    private static void assertPath(NodeState... path) {
        for (int i = 1; i < path.length; i++) {
            assertThat(Transitions.allowed(path[i - 1], path[i])).as(path[i - 1] + " -> " + path[i]).isTrue();
        }
    }

    @Test
    void anIllegalMoveNamesBothStates() {
        assertThatThrownBy(() -> Transitions.check(NodeState.JOINING, NodeState.READY))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("JOINING -> READY");
        assertThatThrownBy(() -> Transitions.check(NodeState.LEFT, NodeState.READY))
                .hasMessageContaining("LEFT -> READY");
    }

    @Test
    void readyIsReachedOnlyByRegisteringOrRecoveringFromDegraded() {
        for (NodeState from : NodeState.values()) {
            boolean expected = from == NodeState.REGISTERING || from == NodeState.DEGRADED;
            assertThat(Transitions.allowed(from, NodeState.READY)).as(from + " -> READY").isEqualTo(expected);
        }
    }

    @Test
    void recoveringNoLongerDoublesAsPromoting() {
        assertThat(Transitions.from(NodeState.RECOVERING)).doesNotContain(NodeState.PROMOTING);
        assertThat(Transitions.from(NodeState.PROMOTING)).doesNotContain(NodeState.RECOVERING);
        assertThat(Transitions.allowed(NodeState.DISCOVERING, NodeState.PROMOTING)).isTrue();
    }

    @Test
    void everyStateCanBeLeftAndEveryLeaveEndsInLeft() {
        for (NodeState s : NodeState.values()) {
            if (s != NodeState.LEAVING) {
                assertThat(Transitions.allowed(s, NodeState.LEAVING)).as(s + " -> LEAVING").isTrue();
            }
        }
        assertThat(Transitions.from(NodeState.LEAVING)).containsExactly(NodeState.LEFT);
    }

    @Test
    void everyWorkingStateCanFailAndNoTerminalStateFailsAgain() {
        Set<NodeState> working = EnumSet.of(NodeState.DISCOVERING, NodeState.ELECTING, NodeState.FOUNDING,
                NodeState.RECOVERING, NodeState.PROMOTING, NodeState.JOINING, NodeState.STARTING_OVERLAY,
                NodeState.REGISTERING);
        for (NodeState s : NodeState.values()) {
            assertThat(Transitions.allowed(s, NodeState.FAILED)).as(s + " -> FAILED").isEqualTo(working.contains(s));
        }
    }

    @Test
    void everyStateIsReachableFromNew() {
        Set<NodeState> seen = EnumSet.of(NodeState.NEW);
        Deque<NodeState> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            for (NodeState next : Transitions.from(todo.pop())) {
                if (seen.add(next)) {
                    todo.push(next);
                }
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(NodeState.values());
    }
}
