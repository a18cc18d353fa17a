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

        // The launcher runs the serial collector unless MESHCTL_JAVA_OPTS chooses one (two would not start).
        assertThat(collector(launcher, null)).isEqualTo("Serial");
        assertThat(collector(launcher, "-XX:+UseG1GC")).isEqualTo("G1");
    }

    /** The collector ./meshctl's JVM runs, as -XX:+PrintFlagsFinal tells it. */
    private static String collector(Path launcher, String javaOpts) throws Exception {
        ProcessBuilder b = new ProcessBuilder(List.of(launcher.toString(), "version")).redirectErrorStream(true);
        b.environment().put("MESHCTL_JAVA_OPTS", (javaOpts == null ? "" : javaOpts + " ") + "-XX:+PrintFlagsFinal");
        Process p = b.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.matches("\\s*bool Use(Serial|G1|Parallel|Z|Shenandoah)GC\\s+= true.*"))
                .map(l -> l.trim().split("\\s+")[1].replace("Use", "").replace("GC", "")).findFirst().orElse("none: " + out);
    }
}
