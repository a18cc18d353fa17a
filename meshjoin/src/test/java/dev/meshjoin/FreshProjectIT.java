package dev.meshjoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.testkit.netns.NetnsHost;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user does: a fresh Maven project whose pom is the README's snippet (import mesh-bom,
 * depend on meshjoin) and whose main is the README's sample, built against the jars this reactor
 * just made, then run with real nebula in a network namespace, where it founds a mesh.
 *
 * <p>The jars go into a temporary local repository (never the shared {@code ~/.m2}); everything
 * else (plugins, Bouncy Castle, Jackson, ...) is read from {@code ~/.m2} as a read-only tail
 * ({@code maven.repo.local.tail}, Maven 3.9), offline. The libraries run on the module path, so
 * their module descriptors are tried for real. Needs root (namespaces), nebula and the
 * reactor's jars (run through {@code ./mvnw verify}).
 */
class FreshProjectIT {
    /** The modules meshjoin brings, as published: artifact id and the directory that builds it. */
    private static final List<String> JARS = List.of("mesh-api", "mesh-core", "mesh-nebula", "mesh-store-file", "meshjoin");

    @TempDir
    Path tmp;

    private NetnsLab lab;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void needsRootAndNebula() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        assumeTrue(Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "nebula"))), "skipped: nebula is not on PATH (apt-get install nebula)");
    }

    @AfterEach
    void tearDown() {
        processes.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theReadmeSnippetAndSampleBuildInANewProjectAndFoundAMesh() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("mvnw"))) {
            root = root.getParent();
        }
        String version = first(Files.readString(root.resolve("pom.xml")),
                "<artifactId>meshjoin-parent</artifactId>\\s*<version>([^<]+)</version>");
        Path repo = seedRepository(root, version);
        Path app = newProject(root, version);

        Path buildLog = tmp.resolve("build.log");
        Process build = new ProcessBuilder(root.resolve("mvnw").toString(), "-B", "-ntp", "-o", "-q",
                "-f", app.resolve("pom.xml").toString(), "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + Path.of(System.getProperty("user.home"), ".m2", "repository"),
                "compile", "dependency:build-classpath", "-Dmdep.outputFile=" + app.resolve("cp.txt"))
                .redirectErrorStream(true).redirectOutput(buildLog.toFile()).start();
        processes.add(build);
        assertThat(build.waitFor(300, TimeUnit.SECONDS)).as("the build ends").isTrue();
        assertThat(build.exitValue()).as(Files.readString(buildLog)).isZero();
        String modulePath = Files.readString(app.resolve("cp.txt")).strip();
        assertThat(modulePath).contains("meshjoin-" + version + ".jar").doesNotContain("/mesh-testkit");

        lab = NetnsLab.create(1);
        NetnsHost host = lab.host(1);
        Path log = tmp.resolve("app.log");
        Process run = host.start(List.of("env", "MESH_SECRET=fresh-project-network-secret",
                "MESH_CA_PASSPHRASE=fresh-project-ca-passphrase",
                // The libraries as named modules (their module-info: exports, uses/provides, the
                // opens Jackson needs), the user's code on the class path as most workers have it.
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--module-path", modulePath,
                "--add-modules", "ALL-MODULE-PATH", "-cp", app.resolve("target/classes").toString(), "app.Main",
                tmp.resolve("store").toString(), tmp.resolve("state").toString(), host.address() + ":4242"), log);
        processes.add(run);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).as("the sample ends").isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(run.exitValue()).as(out).isZero();
        assertThat(out).contains("on the mesh at 10.42.0.1/16").contains("FOUNDED true");
        assertThat(out).as("the user's SLF4J backend prints the library's log").contains("INFO dev.meshjoin");
        try (Stream<Path> entries = Files.list(tmp.resolve("store/entries"))) {
            assertThat(entries.count()).as("the network is in the file store").isPositive();
        }
    }

    /** A temporary local repository holding this build's artifacts, laid out as install would. */
    private Path seedRepository(Path root, String version) throws IOException {
        Path repo = tmp.resolve("repo");
        put(repo, "meshjoin-parent", version, root.resolve("pom.xml"), null);
        put(repo, "mesh-bom", version, root.resolve("mesh-bom/pom.xml"), null);
        for (String module : JARS) {
            Path jar = root.resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
            assertThat(jar).as("the reactor built %s; run this test through ./mvnw verify", module).exists();
            put(repo, module, version, root.resolve(module).resolve("pom.xml"), jar);
        }
        return repo;
    }

    private static void put(Path repo, String artifact, String version, Path pom, Path jar) throws IOException {
        Path dir = repo.resolve("dev/meshjoin").resolve(artifact).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"));
        }
    }

    /** The project a user writes: the README's Maven snippet and its sample, with paths for this test. */
    private Path newProject(Path root, String version) throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        String snippet = first(readme, "```xml\n(.*?)```");
        String rootPom = Files.readString(root.resolve("pom.xml"));
        Path app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(app.resolve("pom.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>app</groupId>
                  <artifactId>worker</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                %s
                  <build>
                    <pluginManagement>
                      <plugins>
                        <plugin><artifactId>maven-compiler-plugin</artifactId><version>%s</version></plugin>
                        <plugin><artifactId>maven-resources-plugin</artifactId><version>%s</version></plugin>
                        <plugin><artifactId>maven-dependency-plugin</artifactId><version>%s</version></plugin>
                      </plugins>
                    </pluginManagement>
                  </build>
                </project>
                """.formatted(withBackend(snippet, first(rootPom, "<slf4j.version>([^<]+)<")),
                first(rootPom, "<compiler-plugin.version>([^<]+)<"), first(rootPom, "<resources-plugin.version>([^<]+)<"),
                first(rootPom, "<dependency-plugin.version>([^<]+)<")));

        String sample = sampleFromReadme(readme);
        String adapted = sample.replace("\"file:/var/lib/meshjoin/store\"", "\"file:\" + args[0]")
                .replace("Path.of(\"/var/lib/meshjoin/worker-7\")", "Path.of(args[1])")
                .replace(".build();", ".publicEndpoint(args[2])"
                        + ".caPassphrase(System.getenv(\"MESH_CA_PASSPHRASE\").toCharArray()).build();");
        assertThat(adapted).as("the sample has the store, state directory and build() this test fills in")
                .contains("args[0]").contains("args[1]").contains("args[2]");
        Path src = Files.createDirectories(app.resolve("src/main/java/app"));
        Files.writeString(src.resolve("Main.java"), """
                package app;

                import dev.meshjoin.MeshJoin;
                import dev.meshjoin.core.MeshNode;
                import dev.meshjoin.core.NodeState;
                import dev.meshjoin.core.NodeStatus;
                import java.nio.file.Path;

                public final class Main {
                    public static void main(String[] args) {
                        char[] secret = System.getenv("MESH_SECRET").toCharArray();
                        MeshNode node = joinMesh(secret, args);
                        if (node == null) {
                            System.exit(3);
                        }
                        System.out.println("FOUNDED " + node.status().founder());
                        node.close();
                    }

                    static MeshNode joinMesh(char[] secret, String[] args) {
                %s
                        return node;
                    }
                }
                """.formatted(Arrays.stream(adapted.split("\n")).map(l -> "        " + l).collect(Collectors.joining("\n"))));
        return app;
    }

    /** The Java block of the README that uses MeshJoin. */
    private static String sampleFromReadme(String readme) {
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (m.find()) {
            if (m.group(1).contains("MeshJoin.builder()")) {
                return m.group(1);
            }
        }
        throw new AssertionError("README.md shows no MeshJoin sample");
    }

    /** The snippet with a logging backend added, as the README's SLF4J note tells users to do. */
    private static String withBackend(String snippet, String slf4jVersion) {
        int last = snippet.lastIndexOf("</dependencies>");
        return snippet.substring(0, last) + "  <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId>"
                + "<version>" + slf4jVersion + "</version></dependency>\n" + snippet.substring(last);
    }

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no match for " + regex);
        }
        return m.group(1);
    }
}
