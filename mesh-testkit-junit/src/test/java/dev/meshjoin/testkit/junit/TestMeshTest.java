package dev.meshjoin.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TestMesh as a parameter, as a resource, with a node that fails, and the README's example kept to the letter. */
@ExtendWith(TestMesh.class)
class TestMeshTest {

    @Test
    void aParameterMeshIsReadyAndJoinAddsMembersToIt(TestMesh mesh) {
        List<MeshNode> first = mesh.join(2);
        List<MeshNode> more = mesh.join(2);
        assertThat(first).extracting(MeshNode::nodeName).containsExactly("node-0", "node-1");
        assertThat(more).extracting(MeshNode::nodeName).containsExactly("node-2", "node-3");
        assertThat(mesh.get("node-0").status().founder()).isTrue();
        assertThat(more).allSatisfy(n -> assertThat(n.status().founder()).isFalse());
        assertThat(mesh.get("node-3").certificate().orElseThrow().name()).isEqualTo("node-3");

        mesh.poll();
        assertThat(mesh.get("node-0").stateService().orElseThrow().presence().live())
                .extracting(s -> s.node()).contains("node-1", "node-2", "node-3");
        assertThatThrownBy(() -> mesh.get("nobody")).hasMessageContaining("no node named nobody");
    }

    @Test
    void aNodeThatCannotJoinFailsTheCallWithItsNameAndReason() {
        try (TestMesh mesh = TestMesh.builder().build()) {
            mesh.overlay("node-1").failStartWith("no tun device here");
            assertThatThrownBy(() -> mesh.join(2)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("node-1 did not become READY").hasMessageContaining("no tun device here");
            assertThat(mesh.get("node-0").status().state()).isEqualTo(NodeState.READY);
        }
    }

    @Test
    void closingDeletesEveryStateDirectoryAndASecondCloseDoesNothing() {
        TestMesh mesh = new TestMesh();
        mesh.join(1);
        Path dir = mesh.harness().stateDirectory("node-0");
        assertThat(dir).isDirectory();
        mesh.close();
        mesh.close();
        assertThat(dir).doesNotExist();
        assertThatThrownBy(() -> mesh.get("node-0")).as("closed nodes are forgotten")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReadmeShowsTheExampleTestExactly() throws Exception {
        // The example lives in a package of its own, as a user's test does: it compiles against the
        // public API and its imports, TestMesh's among them, are all a reader needs to copy.
        String readme = Files.readString(Path.of("../mesh-testkit/README.md"), StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("(?s)<!-- WorkerAgentExampleTest -->\\s*```java\\n(.*?)```").matcher(readme);
        assertThat(block.find()).as("the README's example block").isTrue();
        String source = Files.readString(Path.of("src/test/java/com/example/agent/WorkerAgentExampleTest.java"),
                StandardCharsets.UTF_8).replaceFirst("package [^;]+;\\n\\n", "");
        assertThat(block.group(1)).isEqualTo(source);
    }
}
