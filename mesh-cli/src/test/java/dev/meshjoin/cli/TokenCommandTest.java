package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokens;
import dev.meshjoin.core.signing.TokenRecord;
import dev.meshjoin.store.file.FileBootstrapStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2026-11-25T12:00:00Z");

    private String run(List<String> args, ByteArrayOutputStream err) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new TokenCommand(Clock.fixed(now, ZoneOffset.UTC)).run(new Invocation(args, Meshctl.emptyInput(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), dir));
        assertThat(status).isZero();
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void createsATokenWhoseHashAloneIsStored() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String text = run(List.of("create", "--store", "file:" + dir, "--network", "prod", "--groups", "workers,gpu",
                "--expires", "2h", "--uses", "3"), err);
        EnrollmentToken token = EnrollmentToken.of(text);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(token.id()).doesNotContain(text);
        try (FileBootstrapStore store = new FileBootstrapStore(dir)) {
            TokenRecord rec = new EnrollmentTokens(store, StoreKeys.of("prod"), Clock.systemUTC()).find(token.id()).orElseThrow();
            assertThat(rec.groups()).containsExactly("workers", "gpu");
            assertThat(rec.maxUses()).isEqualTo(3);
            assertThat(rec.uses()).isZero();
            assertThat(rec.expiresAt()).isEqualTo(now.plus(Duration.ofHours(2)));
        }
        String secretPart = text.substring(text.lastIndexOf('.') + 1);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).doesNotContain(secretPart);
            }
        }
    }

    @Test
    void refusesTheLighthouseGroupAndZeroUses() {
        assertThatThrownBy(() -> run(List.of("create", "--store", "file:" + dir, "--groups", "lighthouse"),
                new ByteArrayOutputStream())).isInstanceOf(CliException.class).hasMessageContaining("lighthouses only");
        assertThatThrownBy(() -> run(List.of("create", "--store", "file:" + dir, "--uses", "0"),
                new ByteArrayOutputStream())).isInstanceOf(CliException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> run(List.of("list"), new ByteArrayOutputStream()))
                .isInstanceOf(CliException.class).hasMessageContaining("usage");
    }
}
