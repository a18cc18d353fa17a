package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.core.record.EntryPointRecord;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.store.file.FileBootstrapStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MembersCommandTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void printsLiveAndStaleMembersMarkedWithTheirEntryPoints() {
        StoreKeys keys = StoreKeys.of("prod");
        try (FileBootstrapStore store = new FileBootstrapStore(dir)) {
            store.putIfAbsent(keys.member("fresh"), Json.write(new MemberRecord(1, "fresh", "10.42.0.2", List.of("workers"),
                    dev.meshjoin.core.record.Role.MEMBER, "198.51.100.4:4242", "aa", now.plus(Duration.ofDays(20)), now.minus(Duration.ofMinutes(5)))));
            store.putIfAbsent(keys.member("gone"), Json.write(new MemberRecord(1, "gone", "10.42.0.3", List.of(),
                    dev.meshjoin.core.record.Role.MEMBER, null, "bb", now.plus(Duration.ofDays(20)), now.minus(Duration.ofHours(5)))));
            store.putIfAbsent(keys.member("quiet"), Json.write(new MemberRecord(1, "quiet", "10.42.0.4", List.of(),
                    dev.meshjoin.core.record.Role.MEMBER, null, "cc", now.plus(Duration.ofDays(20)), now.minus(Duration.ofHours(5)))));
            store.putIfAbsent(keys.member("bad"), Json.write(new MemberRecord(1, "bad", "10.42.0.5", List.of(),
                    dev.meshjoin.core.record.Role.MEMBER, null, "dd", now.plus(Duration.ofDays(20)), now)));
            // A lighthouse saw "quiet" a minute ago: its polls are its presence, its own record is old.
            store.putIfAbsent(keys.presence("lh"), Json.write(new dev.meshjoin.core.record.PresenceRecord(1, "lh", now,
                    3600, List.of(new dev.meshjoin.core.record.PresenceRecord.Seen("quiet", "10.42.0.4",
                    now.minus(Duration.ofMinutes(1)), "cc", null, null)))));
            // A lighthouse that stopped two hours ago still lists "gone": its record is no longer current.
            store.putIfAbsent(keys.presence("old-lh"), Json.write(new dev.meshjoin.core.record.PresenceRecord(1, "old-lh",
                    now.minus(Duration.ofHours(2)), 3600, List.of(new dev.meshjoin.core.record.PresenceRecord.Seen("gone",
                    "10.42.0.3", now.minus(Duration.ofHours(2)), "bb", null, null)))));
            dev.meshjoin.core.lifecycle.Revocations.revoke(store, keys, new dev.meshjoin.core.record.RevocationList.Revoked(
                    "bad", List.of(), List.of("dd"), now, now.plus(Duration.ofDays(20))), now);
            store.putIfAbsent(keys.entryPoint("fresh"), Json.write(new EntryPointRecord(1, "fresh", "198.51.100.4", 443,
                    List.of("https"), "10.42.0.2", now, now.plus(Duration.ofMinutes(90)))));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Meshctl meshctl = new Meshctl();
        int status = new MembersCommand(Clock.fixed(now, ZoneOffset.UTC)).run(new Invocation(
                List.of("--store", "file:" + dir, "--network", "prod"), Meshctl.emptyInput(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), dir));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(text).containsPattern("LIVE\\s+no\\s+fresh\\s+10\\.42\\.0\\.2\\s+member\\s+198\\.51\\.100\\.4:4242\\s+198\\.51\\.100\\.4:443 https")
                .containsPattern("STALE\\s+no\\s+gone\\s+10\\.42\\.0\\.3")
                .containsPattern("LIVE\\s+yes\\s+quiet\\s+10\\.42\\.0\\.4.*1m ago")
                .containsPattern("REVOKED\\s+no\\s+bad\\s+10\\.42\\.0\\.5")
                .contains("4 members, 1 running now, 1 stale, 1 revoked, 1 entry points");
        assertThat(meshctl.commands()).containsKey("members");
    }

    @Test
    void jsonHasOneObjectPerMemberWithStatusAndEntryPoint() throws Exception {
        printsLiveAndStaleMembersMarkedWithTheirEntryPoints();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new MembersCommand(Clock.fixed(now, ZoneOffset.UTC)).run(new Invocation(
                List.of("-store", "file:" + dir, "-network", "prod", "-json"), Meshctl.emptyInput(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()), Map.of(), dir));
        assertThat(status).isZero();
        com.fasterxml.jackson.databind.JsonNode arr = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).doesNotContain("\n");
        assertThat(arr).hasSize(4);
        Map<String, com.fasterxml.jackson.databind.JsonNode> byNode = new java.util.TreeMap<>();
        arr.forEach(n -> byNode.put(n.get("node").asText(), n));
        com.fasterxml.jackson.databind.JsonNode fresh = byNode.get("fresh");
        com.fasterxml.jackson.databind.JsonNode gone = byNode.get("gone");
        assertThat(byNode.get("bad").get("status").asText()).isEqualTo("REVOKED");
        assertThat(byNode.get("quiet").get("status").asText()).isEqualTo("LIVE");
        assertThat(byNode.get("quiet").get("lastSeen").asText()).as("from the lighthouse's presence record")
                .isEqualTo("2026-11-25T11:59:00Z");
        assertThat(byNode.get("quiet").get("running").asBoolean()).isTrue();
        assertThat(byNode.get("quiet").get("runningAt").asText()).isEqualTo("lh");
        assertThat(gone.get("running").asBoolean()).as("only a stopped lighthouse's old record lists it").isFalse();
        assertThat(gone.get("runningAt").isNull()).isTrue();
        assertThat(fresh.get("running").asBoolean()).as("no lighthouse lists it as polling").isFalse();
        assertThat(fresh.get("status").asText()).isEqualTo("LIVE");
        assertThat(fresh.get("entryPoint").get("port").asInt()).isEqualTo(443);
        assertThat(fresh.get("lastSeen").asText()).isEqualTo("2026-11-25T11:55:00Z");
        assertThat(gone.get("status").asText()).isEqualTo("STALE");
        assertThat(gone.get("entryPoint").isNull()).isTrue();
        assertThat(gone.get("publicEndpoint").isNull()).isTrue();
    }

    @Test
    void anUnknownStoreSchemeIsRefusedOnOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Meshctl().run(new Invocation(List.of("members", "--store", "nosuch:/x"), Meshctl.emptyInput(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), dir));
        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no store adapter handles 'nosuch:'").hasLineCount(1);
    }

    private String refusal(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new java.util.ArrayList<>(List.of("members"));
        all.addAll(List.of(args));
        int status = new Meshctl().run(new Invocation(all, Meshctl.emptyInput(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), dir));
        assertThat(status).isEqualTo(1);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFileStoreThatDoesNotExistIsAnErrorAndNothingIsCreated() {
        Path typo = dir.resolve("stroe");
        assertThat(refusal("--store", "file:" + typo)).contains("there is no file store at " + typo)
                .contains("it does not exist").hasLineCount(1);
        assertThat(typo).doesNotExist();
        assertThat(refusal("--store", "file:" + dir)).contains("is not a file store (it has no store.lock)");
        assertThat(dir.resolve("entries")).doesNotExist();
    }

    @Test
    void everyStoreAdapterIsOnMeshctlsClassPathAndAPathWithoutSchemeIsRefused() {
        assertThat(refusal("--store", "nosuch:/x")).contains("known schemes: [cloudflare-do, cloudflare-kv, etcd, file]");
        assertThat(refusal("--store", "/var/lib/meshjoin/store"))
                .contains("store URI '/var/lib/meshjoin/store' has no scheme; write file:/var/lib/meshjoin/store");
    }
}
