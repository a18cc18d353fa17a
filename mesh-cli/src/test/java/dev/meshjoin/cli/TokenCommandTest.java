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
    private static final String PASSPHRASE = "token-test-ca-passphrase";

    /** Founds the networks the tests use, as a founder would: CA key sealed, network record signed. */
    @org.junit.jupiter.api.BeforeEach
    void found() {
        var provider = new dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider();
        try (var s = dev.meshjoin.core.store.BootstrapStores.open("file:" + dir)) {
            for (String network : List.of("prod", "mesh")) {
                StoreKeys keys = StoreKeys.of(network);
                byte[] salt = new byte[16];
                new java.security.SecureRandom().nextBytes(salt);
                var ca = provider.create(dev.meshjoin.api.ca.CaSpec.forNetwork(network + " mesh CA",
                        dev.meshjoin.api.net.Ipv4Cidr.parse("10.42.0.0/16"), Duration.ofDays(365)));
                new dev.meshjoin.core.lighthouse.CaVault(s, keys, provider,
                        dev.meshjoin.core.secret.SecretCodecs.passphrase(PASSPHRASE.toCharArray())).seal(ca, salt);
                var trust = new dev.meshjoin.core.trust.RecordTrust(keys, provider)
                        .pin(List.of(ca.caCertificate().fingerprint()));
                trust.signWith(ca);
                dev.meshjoin.core.trust.TrustedStore.wrap(s, trust).putIfAbsent(keys.network(),
                        dev.meshjoin.core.record.Json.write(new dev.meshjoin.core.record.NetworkRecord(1, network,
                                "10.42.0.0/16", provider.type(), ca.caCertificate().pemText(),
                                ca.caCertificate().fingerprint(), List.of(new dev.meshjoin.core.record.NetworkRecord
                                .LighthouseEntry("lh", "10.42.0.1", List.of("127.0.0.1:4242"), "127.0.0.1:8444")),
                                "lh", now, java.util.Base64.getEncoder().encodeToString(salt))));
            }
        }
    }

    private String run(List<String> args, ByteArrayOutputStream err) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new TokenCommand(Clock.fixed(now, ZoneOffset.UTC)).run(new Invocation(args, Meshctl.emptyInput(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("MESH_CA_PASSPHRASE", PASSPHRASE), dir));
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
        // mjt2.<id>.<secret>.<CA fingerprint>: the secret is the third part; the fingerprint is public.
        assertThat(text).startsWith("mjt2.");
        String secretPart = text.split("\\.")[2];
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
        assertThatThrownBy(() -> run(List.of("frob"), new ByteArrayOutputStream()))
                .isInstanceOf(CliException.class).hasMessageContaining("usage");
        assertThatThrownBy(() -> run(List.of("list"), new ByteArrayOutputStream()))
                .isInstanceOf(CliException.class).hasMessageContaining("-store is required");
    }

    @Test
    void listsTokensWithoutSecretsAsTextAndJsonAndRevokesOne() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String store = "file:" + dir;
        EnrollmentToken a = EnrollmentToken.of(run(List.of("create", "--store", store, "--groups", "workers", "--uses", "2"), err));
        EnrollmentToken b = EnrollmentToken.of(run(List.of("create", "--store", store, "--expires", "1h"), err));
        String table = run(List.of("list", "--store", store), err);
        assertThat(table).containsPattern(a.id() + "\\s+active\\s+0/2\\s+\\S+\\s+\\S+\\s+workers")
                .containsPattern(b.id() + "\\s+active\\s+0/1").contains("2 tokens, 2 active");
        String json = run(List.of("list", "--store", store, "--json"), err);
        assertThat(json).doesNotContain(a.text()).doesNotContain(b.text()).doesNotContain("hash");
        com.fasterxml.jackson.databind.JsonNode arr = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(arr.isArray()).isTrue();
        assertThat(arr).hasSize(2);
        assertThat(arr.findValuesAsText("id")).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(arr.get(0).get("expiresAt").asText()).endsWith("Z");

        run(List.of("revoke", "--store", store, a.id()), err);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("token " + a.id() + " of network mesh revoked");
        try (FileBootstrapStore s = new FileBootstrapStore(dir)) {
            EnrollmentTokens tokens = new EnrollmentTokens(s, StoreKeys.of("mesh"), Clock.systemUTC());
            assertThat(tokens.find(a.id())).isEmpty();
            assertThat(tokens.find(b.id())).isPresent();
        }
        assertThatThrownBy(() -> run(List.of("revoke", "--store", store, a.id()), new ByteArrayOutputStream()))
                .isInstanceOf(CliException.class).hasMessageContaining("has no token " + a.id());
        assertThatThrownBy(() -> run(List.of("revoke", "--store", store, "../x"), new ByteArrayOutputStream()))
                .hasMessageContaining("not a token id");
    }
}
