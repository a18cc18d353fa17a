package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as an operator gets it: {@code meshctl-<version>.tar.gz}, unpacked in a
 * temporary directory outside the source tree and run from there with nothing but Java; and the
 * systemd unit and Dockerfile in {@code examples/}, checked against that layout and against the
 * flags and variables meshctl really reads. Runs after {@code package}, which builds the tarball.
 */
class DistributionIT {
    private static final Path TARGET = Path.of(System.getProperty("project.build.directory", "target"));
    private static final Path EXAMPLES = Path.of(System.getProperty("project.basedir", ".")).resolve("../examples")
            .normalize();

    @TempDir
    Path tmp;
    private Path home;

    record Result(int status, String out) {
    }

    @BeforeEach
    void unpack() throws Exception {
        Path tarball = TARGET.resolve("meshctl-" + VersionCommand.version() + ".tar.gz");
        assumeTrue(Files.isRegularFile(tarball), "skipped: " + tarball + " is not built; run ./mvnw package first");
        // The working directory is mesh-cli, so its parent is the source tree's root.
        assertThat(tmp.toAbsolutePath().startsWith(Path.of("").toAbsolutePath().getParent()))
                .as("unpacked outside the source tree").isFalse();
        Result untar = run(tmp, Map.of(), "tar", "xzf", tarball.toAbsolutePath().toString());
        assertThat(untar.status()).as(untar.out()).isZero();
        home = tmp.resolve("meshctl-" + VersionCommand.version());
    }

    private static Result run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        // Only what an operator's shell would have: no class path, no Maven.
        pb.environment().clear();
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void theTarballHoldsBinAndLibAndRunsFromAnywhere() throws Exception {
        assertThat(home.resolve("bin/meshctl")).isExecutable();
        assertThat(home.resolve("LICENSE")).content().contains("Apache License");
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(j -> j.getFileName().toString()).toList())
                    .contains("mesh-cli-" + VersionCommand.version() + ".jar")
                    .anyMatch(n -> n.startsWith("logback-classic-"))
                    .noneMatch(n -> n.startsWith("slf4j-simple") || n.startsWith("junit") || n.startsWith("assertj"));
        }
        Path work = Files.createDirectories(tmp.resolve("work"));
        Result version = run(work, Map.of(), home.resolve("bin/meshctl").toString(), "version");
        assertThat(version.status()).as(version.out()).isZero();
        assertThat(version.out()).startsWith("meshctl " + VersionCommand.version() + "\n").doesNotContain("warning");

        // Through a symbolic link, as /usr/local/bin/meshctl would be.
        Path link = Files.createSymbolicLink(tmp.resolve("meshctl"), home.resolve("bin/meshctl"));
        // A token names the network's CA: on a store without a network it is refused, saying why.
        Result created = run(work, Map.of("MESH_CA_PASSPHRASE", "distribution-ca-passphrase"), link.toString(), "token",
                "create", "--store", "file:" + work.resolve("store"), "--groups", "workers", "--uses", "3");
        assertThat(created.status()).as(created.out()).isEqualTo(1);
        assertThat(created.out()).contains("does not exist").contains("found the network first");
        Result listed = run(work, Map.of(), link.toString(), "token", "list", "--store", "file:" + work.resolve("store"),
                "--json");
        assertThat(listed.status()).as(listed.out()).isZero();
        JsonNode tokens = new ObjectMapper().readTree(listed.out());
        assertThat(tokens).isEmpty();

        // The class-data archive made in place; later runs use it and say nothing about it.
        Result cds = run(work, Map.of(), link.toString(), "cds-archive");
        assertThat(cds.status()).as(cds.out()).isZero();
        assertThat(home.resolve("lib/meshctl.jsa")).isNotEmptyFile();
        Result withCds = run(work, Map.of(), link.toString(), "version");
        assertThat(withCds.out()).isEqualTo(version.out());

        Result usage = run(work, Map.of(), link.toString(), "up");
        assertThat(usage.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(usage.out()).contains("missing required flags -name, -store, -state-dir");
    }

    /**
     * lib/ carries Bouncy Castle unsigned (see mesh-cli/pom.xml, unsigned-bcprov), so that its classes
     * load without jar verification and can be in the class-data archive: the same entries as the
     * published jar on this test's class path, its licence included, but no signature, and a
     * multi-release manifest still.
     */
    @Test
    void bouncyCastleInLibIsThePublishedJarWithoutItsSignature() throws Exception {
        Path published = Path.of(org.bouncycastle.math.ec.rfc8032.Ed25519.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(j -> j.getFileName().toString()))
                    .containsOnlyOnce(published.getFileName().toString());
        }
        Path copy = home.resolve("lib").resolve(published.getFileName());
        try (java.util.jar.JarFile signed = new java.util.jar.JarFile(published.toFile());
             java.util.jar.JarFile unsigned = new java.util.jar.JarFile(copy.toFile())) {
            java.util.function.Predicate<String> signature = n -> n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");
            List<String> signedNames = signed.stream().map(java.util.jar.JarEntry::getName).toList();
            assertThat(signedNames).as("the published jar is signed, else this test checks nothing").anyMatch(signature);
            List<String> expected = signedNames.stream().filter(signature.negate()).toList();
            assertThat(unsigned.stream().map(java.util.jar.JarEntry::getName).toList())
                    .containsExactlyInAnyOrderElementsOf(expected)
                    .contains("META-INF/LICENSE.md", "META-INF/MANIFEST.MF");
            for (String name : List.of("org/bouncycastle/math/ec/rfc8032/Ed25519.class",
                    "META-INF/versions/9/module-info.class", "META-INF/LICENSE.md")) {
                assertThat(unsigned.getInputStream(unsigned.getEntry(name)).readAllBytes()).as(name)
                        .isEqualTo(signed.getInputStream(signed.getEntry(name)).readAllBytes());
            }
            assertThat(unsigned.isMultiRelease()).isTrue();
            assertThat(unsigned.getManifest().getEntries()).as("per-entry digests").isEmpty();
        }
        // What the JVM sees: classes from the copy come without signers, from the published jar with them.
        for (Path jar : List.of(published, copy)) {
            try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()},
                    null)) {
                Class<?> c = loader.loadClass("org.bouncycastle.math.ec.rfc8032.Ed25519");
                assertThat(c.getProtectionDomain().getCodeSource().getCertificates()).as(jar.toString())
                        .satisfies(certs -> assertThat(certs == null).isEqualTo(jar.equals(copy)));
            }
        }
    }

    @Test
    void theSystemdUnitUsesOnlyFlagsAndVariablesMeshctlReads() throws Exception {
        Path unitFile = EXAMPLES.resolve("systemd/meshjoin@.service");
        String unit = Files.readString(unitFile);
        Map<String, String> env = directives(unit, "Environment");
        assertThat(env).containsEntry("MESH_SECRET_FILE", "%d/mesh-secret")
                .containsEntry("MESH_CA_PASSPHRASE_FILE", "%d/mesh-ca-passphrase");
        // Every _FILE variable names a credential the unit loads.
        Map<String, String> credentials = new LinkedHashMap<>();
        for (String line : lines(unit, "LoadCredential")) {
            credentials.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1));
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            assertThat(e.getKey()).endsWith("_FILE");
            assertThat(credentials).containsKey(e.getValue().substring("%d/".length()));
        }
        assertThat(unit).containsPattern("(?m)^Restart=on-failure$").containsPattern("(?m)^TimeoutStopSec=\\d+s$")
                .containsPattern("(?m)^RestartPreventExitStatus=" + ExitStatus.USAGE + "$")
                .containsPattern("(?m)^KillSignal=SIGTERM$");

        String execStart = lines(unit, "ExecStart").get(0);
        assertThat(execStart).startsWith("/opt/meshctl/bin/meshctl ");
        Result help = run(tmp, Map.of(), home.resolve("bin/meshctl").toString(), "help", "up");
        Matcher flag = Pattern.compile("--([a-z-]+)").matcher(execStart);
        List<String> flags = new ArrayList<>();
        while (flag.find()) {
            flags.add(flag.group(1));
        }
        assertThat(flags).contains("name", "store", "state-dir", "log-format");
        for (String f : flags) {
            if (!f.startsWith("log-")) {
                assertThat(help.out()).as("meshctl up has flag -" + f).contains("  -" + f + " ");
            }
        }

        // The variables are the ones meshctl reads: a short secret in MESH_SECRET_FILE's file, and
        // a short CA passphrase in MESH_CA_PASSPHRASE_FILE's, are each refused by name.
        Path creds = Files.createDirectories(tmp.resolve("creds"));
        Files.writeString(creds.resolve("mesh-secret"), "0123456789abcdef-network\n");
        Files.writeString(creds.resolve("mesh-ca-passphrase"), "short\n");
        Map<String, String> fromUnit = new LinkedHashMap<>();
        env.forEach((k, v) -> fromUnit.put(k, v.replace("%d", creds.toString())));
        Result up = run(tmp, fromUnit, home.resolve("bin/meshctl").toString(), "up", "--name", "n1", "--store",
                "file:" + tmp.resolve("store"), "--state-dir", tmp.resolve("state").toString(),
                "--public-endpoint", "127.0.0.1:4242");
        assertThat(up.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(up.out()).contains("MESH_CA_PASSPHRASE_FILE").contains("at least");

        // systemd's own check, with ExecStart pointing at the unpacked meshctl.
        Path verifyDir = Files.createDirectories(tmp.resolve("units"));
        Path copy = verifyDir.resolve("meshjoin@n1.service");
        Files.writeString(copy, unit.replace("/opt/meshctl/bin/meshctl", home.resolve("bin/meshctl").toString()));
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "skipped: systemd-analyze is not installed (apt-get install systemd)");
        Result verify = run(verifyDir, Map.of("SYSTEMD_LOG_LEVEL", "warning"), analyze.toString(), "verify", copy.toString());
        assertThat(verify.out().lines().filter(l -> l.contains("meshjoin@")).toList()).as(verify.out()).isEmpty();
    }

    @Test
    void theDockerfileInstallsTheTarballAndRunsBinMeshctl() throws Exception {
        String docker = Files.readString(EXAMPLES.resolve("docker/Dockerfile"));
        assertThat(docker).containsPattern("(?m)^FROM debian:[a-z]+-slim$")
                .contains("nebula", "openjdk-17-jre-headless").contains("NET_ADMIN").contains("/dev/net/tun");
        String version = lines(docker, "ARG MESHCTL_VERSION").get(0);
        assertThat(version).isEqualTo(VersionCommand.version());
        // What ADD unpacks and ENTRYPOINT runs must exist in the tarball's layout.
        String add = docker.lines().filter(l -> l.startsWith("ADD ")).findFirst().orElseThrow();
        String source = add.split("\\s+")[1].replace("${MESHCTL_VERSION}", version);
        assertThat(TARGET.resolve(source)).isRegularFile();
        String entry = lines(docker, "ENTRYPOINT").get(0);
        assertThat(entry).isEqualTo("[\"/opt/meshctl/bin/meshctl\"]");
        assertThat(docker).contains("ln -s /opt/meshctl-${MESHCTL_VERSION} /opt/meshctl")
                .contains("/opt/meshctl/bin/meshctl cds-archive");
        assertThat(home.resolve("bin/meshctl")).isExecutable();
        for (String copied : docker.lines().filter(l -> l.startsWith("COPY ")).toList()) {
            assertThat(TARGET.resolve(copied.split("\\s+")[1])).as(copied).exists();
        }
    }

    /** The values of {@code Key=} lines (for {@code ARG K=}: after {@code K=}). */
    private static List<String> lines(String text, String key) {
        String prefix = key + (key.contains(" ") ? "=" : key.equals("ENTRYPOINT") ? " " : "=");
        return text.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).strip()).toList();
    }

    private static Map<String, String> directives(String unit, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String v : lines(unit, key)) {
            out.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
        }
        return out;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
