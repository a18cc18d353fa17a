package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * {@code meshctl members} says which nodes run now, from the lighthouse's presence, and
 * {@code meshctl status} of a member names its lighthouse with the last contact: a founder and a
 * member with real nebula; after the member stops, it is no longer running (the lighthouse drops
 * it and rewrites its presence record). Needs root and nebula.
 */
class MeshctlRunningIT extends MeshctlLabIT {

    private Run eventually(Predicate<Run> done, long timeoutMillis, String... args) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Run r = Run.meshctl(tmp, Map.of(), args);
        while (!done.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            r = Run.meshctl(tmp, Map.of(), args);
        }
        return r;
    }

    private static Map<String, JsonNode> byNode(Run members) {
        Map<String, JsonNode> out = new TreeMap<>();
        try {
            new ObjectMapper().readTree(members.out()).forEach(n -> out.put(n.get("node").asText(), n));
        } catch (java.io.IOException e) {
            throw new AssertionError(members.out() + members.err(), e);
        }
        return out;
    }

    private static boolean running(Run members, String node) {
        JsonNode n = byNode(members).get(node);
        return n != null && n.get("running").asBoolean();
    }

    @Test
    void membersShowsWhoRunsNowAndStatusShowsTheLighthouseWithItsLastContact() throws Exception {
        lab = MeshctlLab.create(2, tmp);
        Process lh = lab.up(lab.host(1), "lh", true);
        lab.ready("lh");
        Process member = lab.up(lab.host(2), "member", false);
        lab.ready("member");
        String[] members = {"members", "--store", lab.store(), "--network", "it", "--json"};

        Run both = eventually(r -> running(r, "lh") && running(r, "member"), 30_000, members);
        assertThat(running(both, "member")).as(both.out() + both.err()).isTrue();
        assertThat(byNode(both).get("member").get("runningAt").asText()).isEqualTo("lh");
        Run table = Run.meshctl(tmp, Map.of(), "members", "--store", lab.store(), "--network", "it");
        assertThat(table.out()).containsPattern("LIVE\\s+yes\\s+member").contains("2 members, 2 running now");

        Run status = eventually(r -> r.out().contains("last contact"), 30_000, "status", "--state-dir",
                tmp.resolve("member").toString());
        assertThat(status.out()).as(status.out()).containsPattern("lighthouses\\s+lh \\d+\\.\\d+\\.\\d+\\.\\d+\\s+last contact \\d+s ago");
        Run lhStatus = Run.meshctl(tmp, Map.of(), "status", "--state-dir", tmp.resolve("lh").toString());
        assertThat(lhStatus.out()).containsPattern("lighthouses\\s+lh \\S+\\s+this node");

        member.descendants().forEach(ProcessHandle::destroyForcibly);
        member.destroyForcibly().waitFor();
        // Killed, it says no goodbye: the lighthouse drops it after four silent polls (60 s).
        Run gone = eventually(r -> !running(r, "member"), 90_000, members);
        assertThat(running(gone, "member")).as("a stopped member is not running: " + gone.out()).isFalse();
        assertThat(running(gone, "lh")).isTrue();
        assertThat(byNode(gone).get("member").get("status").asText()).as("still seen within the hour").isEqualTo("LIVE");

        // Stopped cleanly (SIGTERM), the lighthouse takes its presence back as it goes: nobody counts
        // as running by it from then on, not for the hour its last record would otherwise live.
        lh.destroy();
        assertThat(lh.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(lh.exitValue()).isZero();
        Run stopped = Run.meshctl(tmp, Map.of(), members);
        assertThat(running(stopped, "lh")).as("a stopped lighthouse is not running: " + stopped.out()).isFalse();
        Run stoppedTable = Run.meshctl(tmp, Map.of(), "members", "--store", lab.store(), "--network", "it");
        assertThat(stoppedTable.out()).contains("0 running now");
    }
}
