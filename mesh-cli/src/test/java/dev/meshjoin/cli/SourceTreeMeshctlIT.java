package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The repository's {@code ./meshctl}, as the README and the demo run it, after the build has put
 * the CLI's jar beside its sources and tests jars in {@code mesh-cli/target}: it must pick the jar
 * that holds the CLI. Needs bash.
 */
class SourceTreeMeshctlIT {

    @Test
    void theSourceTreeLauncherRunsTheCliJarNotItsTestsOrSourcesJar() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        Path launcher = root.resolve("meshctl");
        assumeTrue(Files.isExecutable(launcher), "no ./meshctl at " + launcher);
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs /bin/bash to run ./meshctl");
        try (var jars = Files.list(root.resolve("mesh-cli/target"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")))
                    .as("the build's jars, among which the launcher chooses").anyMatch(n -> n.endsWith("-tests.jar"));
        }

        Process p = new ProcessBuilder(List.of(launcher.toString(), "version")).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("meshctl ").doesNotContain("Could not find or load main class");
    }
}
