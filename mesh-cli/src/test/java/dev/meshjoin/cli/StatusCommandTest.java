package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
    @TempDir
    Path dir;

    private StatusFile file(long pid, String state) {
        return new StatusFile(pid, state, "on the mesh at 10.42.0.2/16", "member", "10.42.0.2/16", "ab12",
                Instant.parse("2026-12-31T00:00:00Z"), List.of("node-1 10.42.0.1"), 4242L, "file:/s",
                Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T09:59:59Z"));
    }

    @Test
    void theFileIsWrittenWholeAndReadableByTheOwnerOnly() throws Exception {
        StatusFile f = file(ProcessHandle.current().pid(), "READY");
        f.write(dir);
        f.write(dir); // replaced, not appended
        Path written = dir.resolve(StatusFile.NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written))).isEqualTo("rw-------");
        assertThat(StatusFile.read(dir)).contains(f);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly(StatusFile.NAME);
        }
    }

    @Test
    void aReadyNodeOfARunningProcessIsStatusZeroAsTextAndJson() throws Exception {
        file(ProcessHandle.current().pid(), "READY").write(dir);
        Run text = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString());
        assertThat(text.status()).isZero();
        assertThat(text.out()).startsWith("READY  on the mesh").containsPattern("overlay\\s+10\\.42\\.0\\.2/16")
                .containsPattern("lighthouses\\s+node-1 10\\.42\\.0\\.1").containsPattern("nebula pid\\s+4242");
        Run json = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString(), "--json");
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertThat(node.get("running").asBoolean()).isTrue();
        assertThat(node.get("ready").asBoolean()).isTrue();
        assertThat(node.get("status").get("certificateNotAfter").asText()).isEqualTo("2026-12-31T00:00:00Z");
    }

    @Test
    void eachLighthouseIsShownWithItsLastContact() throws Exception {
        Instant heard = Instant.now().minusSeconds(7);
        StatusFile base = file(ProcessHandle.current().pid(), "READY");
        new StatusFile(base.pid(), base.state(), base.detail(), base.role(), base.overlayAddress(),
                base.certificateFingerprint(), base.certificateNotAfter(), List.of("node-1 10.42.0.1", "node-2 10.42.0.9"),
                base.nebulaPid(), base.store(), base.since(), base.startedAt(),
                List.of(new StatusFile.Contact("node-1", "10.42.0.1", heard, false),
                        new StatusFile.Contact("node-2", "10.42.0.9", null, false),
                        new StatusFile.Contact("node-3", "10.42.0.2", null, true))).write(dir);
        Run text = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString());
        assertThat(text.status()).isZero();
        assertThat(text.out()).containsPattern("lighthouses\\s+node-1 10\\.42\\.0\\.1\\s+last contact [789]s ago")
                .containsPattern("\\n\\s+node-2 10\\.42\\.0\\.9\\s+no contact yet")
                .containsPattern("\\n\\s+node-3 10\\.42\\.0\\.2\\s+this node");
        JsonNode json = new ObjectMapper().readTree(Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString(),
                "--json").out());
        JsonNode first = json.get("status").get("contacts").get(0);
        assertThat(first.get("name").asText()).isEqualTo("node-1");
        assertThat(Instant.parse(first.get("lastContact").asText())).isEqualTo(heard);
        assertThat(StatusCommand.ago(Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T09:55:00Z")))
                .isEqualTo("5m ago");
    }

    @Test
    void aRunningNodeThatIsNotReadyIsStatusOne() {
        file(ProcessHandle.current().pid(), "DEGRADED").write(dir);
        Run r = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString());
        assertThat(r.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(r.out()).startsWith("DEGRADED");
    }

    @Test
    void aGoneProcessIsNotRunningEvenIfItsFileSaysReady() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        file(p.pid(), "READY").write(dir);
        Run r = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString());
        assertThat(r.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(r.out()).startsWith("not running: meshctl up (pid " + p.pid() + ") is gone; it was READY");
        Run none = Run.meshctl(dir.resolve("elsewhere"), Map.of(), "status", "--state-dir", "x");
        assertThat(none.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(none.out()).startsWith("not running: no meshctl up has run with --state-dir");
        Run json = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString(), "--json");
        assertThat(new ObjectMapper().readTree(json.out()).get("running").asBoolean()).isFalse();
    }

    @Test
    void aDamagedFileIsRefusedOnOneLineAndLeftAsItWas() throws Exception {
        Files.writeString(dir.resolve(StatusFile.NAME), "{not json");
        Run r = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString());
        assertThat(r.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(r.err()).contains("is not a status file meshctl wrote").hasLineCount(1);
        assertThat(Files.readString(dir.resolve(StatusFile.NAME))).isEqualTo("{not json");
    }

    @Test
    void theWriterRecordsEachStateChangeTheNodeReports() {
        StatusWriter w = new StatusWriter(dir, "file:/s");
        NodeStatus joining = new NodeStatus(NodeState.JOINING, "asking", Optional.empty(), Optional.empty(), false,
                Instant.now());
        NodeStatus ready = new NodeStatus(NodeState.READY, "on the mesh", Optional.empty(),
                Optional.of(Ipv4Interface.parse("10.42.0.7/16")), true, Instant.now());
        w.onStateChange(joining, joining);
        // A passing state is written on the file's own thread (StatusWriterTest); READY before the change returns.
        w.onStateChange(joining, ready);
        StatusFile s = StatusFile.read(dir).orElseThrow();
        assertThat(s.state()).isEqualTo("READY");
        assertThat(s.role()).isEqualTo("founder");
        assertThat(s.overlayAddress()).isEqualTo("10.42.0.7/16");
        assertThat(s.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(s.store()).isEqualTo("file:/s");
    }

    private static Run status(StatusCommand command, Path cwd, Map<String, String> env, String... args) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = command.run(new Invocation(List.of(args), Meshctl.emptyInput(),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), env, cwd));
        return new Run(code, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void withoutStateDirItReadsMeshStateDirElseTheOneNodeUnderTheDefaultRoot() throws Exception {
        Path root = dir.resolve("var-lib-meshjoin");
        StatusCommand command = new StatusCommand(root);
        Run none = status(command, dir, Map.of());
        assertThat(none.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(none.out()).startsWith("not running: no --state-dir given, MESH_STATE_DIR is not set, and no meshctl up"
                + " has run under " + root);
        assertThat(new ObjectMapper().readTree(status(command, dir, Map.of(), "--json").out()).get("running").asBoolean())
                .isFalse();

        Files.createDirectories(root.resolve("worker-1"));
        Files.createDirectories(root.resolve("not-a-node"));
        file(ProcessHandle.current().pid(), "READY").write(root.resolve("worker-1"));
        Run one = status(command, dir, Map.of());
        assertThat(one.status()).as(one.out()).isZero();
        assertThat(one.out()).startsWith("READY");

        Path elsewhere = dir.resolve("elsewhere");
        file(ProcessHandle.current().pid(), "DEGRADED").write(elsewhere);
        Run env = status(command, dir, Map.of("MESH_STATE_DIR", "elsewhere"));
        assertThat(env.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(env.out()).as("MESH_STATE_DIR, as up reads it, wins over the default root").startsWith("DEGRADED");
        Run flag = status(command, dir, Map.of("MESH_STATE_DIR", "elsewhere"), "-state-dir", root.resolve("worker-1").toString());
        assertThat(flag.out()).as("and the flag over MESH_STATE_DIR").startsWith("READY");

        Files.createDirectories(root.resolve("worker-2"));
        file(ProcessHandle.current().pid(), "READY").write(root.resolve("worker-2"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> status(command, dir, Map.of()))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.status()).isEqualTo(ExitStatus.USAGE))
                .hasMessage("status: 2 nodes have state under " + root + " (worker-1, worker-2); say which with --state-dir");
    }

    @Test
    void theNextRenewalIsShownAsTextAndJson() throws Exception {
        StatusFile base = file(ProcessHandle.current().pid(), "READY");
        new StatusFile(base.pid(), base.state(), base.detail(), base.role(), base.overlayAddress(),
                base.certificateFingerprint(), base.certificateNotAfter(), base.lighthouses(), base.nebulaPid(),
                base.store(), base.since(), base.startedAt(), List.of(), Instant.parse("2026-12-21T08:00:00Z")).write(dir);
        Run text = Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString());
        assertThat(text.out()).containsPattern("expires\\s+2026-12-31T00:00:00Z").containsPattern("renews\\s+2026-12-21T08:00:00Z");
        JsonNode json = new ObjectMapper().readTree(Run.meshctl(dir, Map.of(), "status", "--state-dir", dir.toString(),
                "--json").out());
        assertThat(json.get("status").get("nextRenewal").asText()).isEqualTo("2026-12-21T08:00:00Z");
    }
}
