package dev.meshjoin.cli;

import static dev.meshjoin.cli.MeshctlLab.READY;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Processes are safe: one {@code meshctl up} per state directory, and a restart after
 * {@code kill -9} stops the nebula the killed process left behind instead of failing on its tun
 * device. Real nebula in network namespaces; needs root and nebula.
 */
class MeshctlSafetyIT extends MeshctlLabIT {
    private static final Map<String, String> SECRETS = Map.of("MESH_SECRET", "safety-it-network-secret",
            "MESH_CA_PASSPHRASE", "safety-it-ca-passphrase");

    private List<String> args(String name) {
        return List.of("--name", name, "--store", "file:" + tmp.resolve("store"), "--state-dir",
                tmp.resolve(name).toString(), "--public-endpoint", lab.host(1).address() + ":4242", "--network", "it");
    }

    @Test
    void aSecondUpOnABusyStateDirectoryIsRefusedWithThePidOfTheFirst() throws Exception {
        lab = MeshctlLab.create(1, tmp);
        Process first = lab.up(lab.host(1), "first", SECRETS, args("node-1"));
        lab.await("first", READY, 0, 60_000);
        long nebula = MeshctlLab.nebulaPid(lab.host(1)).orElseThrow();

        Process second = lab.up(lab.host(1), "second", SECRETS, args("node-1"));

        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(lab.output("second").strip()).isEqualTo("up: the state directory " + tmp.resolve("node-1")
                + " is in use: already running as pid " + first.pid()
                + "; stop that node first, or give this one another state directory");
        assertThat(first.isAlive()).isTrue();
        assertThat(MeshctlLab.nebulaPid(lab.host(1))).as("the first node's daemon was left alone").contains(nebula);
        assertThat(lab.output("first")).doesNotContain("DEGRADED").doesNotContain("FALLBACK");
    }

    @Test
    void afterKill9OfMeshctlTheRestartStopsTheOrphanNebulaAndIsReadyWithoutFallback() throws Exception {
        lab = MeshctlLab.create(1, tmp);
        Process first = lab.up(lab.host(1), "first", SECRETS, args("node-1"));
        String address = lab.await("first", READY, 0, 60_000).group(1);
        long orphan = MeshctlLab.nebulaPid(lab.host(1)).orElseThrow();

        first.destroyForcibly(); // SIGKILL to the JVM alone: its nebula stays, holding the tun device
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("the orphan runs on").contains(true);

        lab.up(lab.host(1), "restart", SECRETS, args("node-1"));

        assertThat(lab.await("restart", READY, 0, 60_000).group(1)).as("same address").isEqualTo(address);
        String out = lab.output("restart");
        assertThat(out).doesNotContain("FALLBACK").doesNotContain("device or resource busy")
                .contains("nebula (pid " + orphan + ") is still running");
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(MeshctlLab.nebulaPid(lab.host(1))).isPresent().get().isNotEqualTo(orphan);
    }
}
