package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static dev.meshjoin.cli.MeshctlLab.pingWithin;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lighthouses that come and go, with real {@code meshctl up} processes and real Nebula daemons in
 * network namespaces sharing one file store: a founder and a {@code --lighthouse} node, two
 * members; the founder is killed with SIGKILL (meshctl and nebula); a new node joins through the
 * second lighthouse, everyone still reaches everyone, and a third public node promotes itself once
 * the founder is marked down. Needs root (namespaces) and the nebula binary.
 */
class LighthousesComeAndGoIT {
    private static final String[] WATCH = {"--lighthouse-interval", "2s", "--lighthouse-grace", "15s"};

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private MeshctlLab lab;

    @BeforeEach
    void needsRootAndNebula() {
        assumeTrue(NetnsLab.unavailableReason().isEmpty(), () -> "skipped: " + NetnsLab.unavailableReason().orElse(""));
        assumeTrue(MeshctlLab.onPath("nebula"), "skipped: the nebula binary is not on PATH (apt-get install nebula)");
    }

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Asserts that host {@code from} gets an answer from {@code to} within 20 s, and prints how soon. */
    private void reach(String what, int from, Ipv4Address to) {
        long start = System.nanoTime();
        boolean answered = pingWithin(lab.host(from), to, 20_000);
        System.out.printf("LighthousesComeAndGoIT: %s answered after %d ms%n", what, (System.nanoTime() - start) / 1_000_000);
        assertThat(answered).as(what).isTrue();
    }

    private static Set<String> live(NetworkView v) {
        return v.liveLighthouses().stream().map(NetworkView.LighthouseView::name).collect(Collectors.toSet());
    }

    private void up(int host, String name, boolean publicNode, String... extra) throws Exception {
        String[] args = new String[WATCH.length + extra.length];
        System.arraycopy(WATCH, 0, args, 0, WATCH.length);
        System.arraycopy(extra, 0, args, WATCH.length, extra.length);
        lab.up(lab.host(host), name, publicNode, args);
    }

    @Test
    void theMeshSurvivesTheLossOfItsFounderAndRestoresTwoLighthouses() throws Exception {
        lab = new MeshctlLab(6, tmp);
        up(1, "founder", true);
        lab.ready("founder");
        up(2, "second", true, "--lighthouse");
        lab.ready("second");
        assertThat(lab.output("second")).contains("PROMOTING");
        assertThat(live(lab.record())).containsExactlyInAnyOrder("founder", "second");
        up(3, "member-a", false);
        up(4, "member-b", false);
        Ipv4Address a = lab.ready("member-a");
        Ipv4Address b = lab.ready("member-b");
        assertThat(pingWithin(lab.host(3), b, 15_000)).as("member-a -> member-b").isTrue();

        // kill -9 of the founder: its meshctl and its nebula.
        long nebula = MeshctlLab.nebulaPid(lab.host(1)).orElseThrow();
        for (long pid : lab.host(1).pids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        ProcessHandle.of(nebula).ifPresent(ProcessHandle::destroyForcibly);
        long until = System.nanoTime() + 10_000_000_000L;
        while (!lab.host(1).pids().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(lab.host(1).pids()).as("nothing of the founder runs").isEmpty();

        up(5, "newcomer", false);
        Ipv4Address n = lab.ready("newcomer");
        assertThat(lab.output("second")).contains("join admitted newcomer");
        assertThat(pingWithin(lab.host(3), b, 15_000)).as("member-a -> member-b after the founder died").isTrue();
        assertThat(pingWithin(lab.host(4), a, 15_000)).as("member-b -> member-a").isTrue();
        reach("newcomer -> member-a", 5, a);
        reach("member-a -> newcomer", 3, n);
        reach("member-b -> newcomer", 4, n);

        // A third public node joins as a member; once the founder is marked down it promotes itself.
        up(6, "spare", true);
        lab.ready("spare");
        NetworkView restored = lab.awaitRecord(v -> live(v).equals(Set.of("second", "spare")), 90_000,
                "the founder marked down and spare promoted");
        assertThat(restored.lighthouse("founder").orElseThrow().live()).isFalse();
        int promotedAt = lab.await("spare", Pattern.compile("(?m)^PROMOTING "), 0, 30_000).start();
        lab.ready("spare", promotedAt);
        // The promoted lighthouse serves joins: a node joins with only it and the second one alive.
        up(1, "late", false);
        lab.ready("late");
        assertThat(pingWithin(lab.host(1), a, 20_000)).as("late -> member-a").isTrue();
        assertThat(lab.output("second") + lab.output("spare")).contains("join admitted late");
    }
}
