package dev.meshjoin.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshjoin.api.secret.SecretCodecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Fernet specification's own acceptance data, read in place from {@code ../shared/vectors/fernet}
 * beside the repository (not copied into the project).
 */
class FernetSpecVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path vectorDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir != null && dir.getParent() != null) {
            Path beside = dir.getParent().resolve("shared/vectors/fernet");
            if (Files.isDirectory(beside)) {
                return beside;
            }
        }
        Path fallback = Path.of("/work/shared/vectors/fernet");
        return Files.isDirectory(fallback) ? fallback : null;
    }

    private static List<JsonNode> load(String file) throws IOException {
        Path dir = vectorDir();
        assumeTrue(dir != null, "the Fernet acceptance data is not present: expected ../shared/vectors/fernet "
                + "beside the repository root (the directory holding mvnw)");
        JsonNode root = JSON.readTree(dir.resolve(file).toFile());
        List<JsonNode> out = new ArrayList<>();
        root.forEach(out::add);
        assertThat(out).as(file + " holds vectors").isNotEmpty();
        return out;
    }

    private static Clock at(JsonNode v) {
        return Clock.fixed(OffsetDateTime.parse(v.get("now").asText()).toInstant(), ZoneOffset.UTC);
    }

    private static FernetCodec codec(JsonNode v) {
        FernetCodec.Builder b = FernetCodec.builder().current(v.get("secret").asText()).clock(at(v));
        if (v.hasNonNull("ttl_sec")) {
            b.ttl(Duration.ofSeconds(v.get("ttl_sec").asLong()));
        }
        return b.build();
    }

    @TestFactory
    List<DynamicTest> generate() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : load("generate.json")) {
            tests.add(DynamicTest.dynamicTest("generate " + v.get("src").asText(), () -> {
                byte[] iv = new byte[16];
                for (int i = 0; i < 16; i++) {
                    iv[i] = (byte) v.get("iv").get(i).asInt();
                }
                long now = at(v).instant().getEpochSecond();
                byte[] token = codec(v).sealAt(v.get("src").asText().getBytes(StandardCharsets.UTF_8), iv, now);
                assertThat(new String(token, StandardCharsets.US_ASCII)).isEqualTo(v.get("token").asText());
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> verify() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : load("verify.json")) {
            tests.add(DynamicTest.dynamicTest("verify " + v.get("src").asText(), () -> {
                byte[] plain = codec(v).open(v.get("token").asText().getBytes(StandardCharsets.US_ASCII), null);
                assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(v.get("src").asText());
            }));
        }
        return tests;
    }

    /** Each invalid token is refused for the reason its description gives, not by accident. */
    private static String expectedReason(String desc) {
        if (desc.contains("incorrect mac")) {
            return "does not authenticate";
        } else if (desc.contains("too short") || desc.contains("multiple of block size")) {
            return "too short|whole number of AES blocks";
        } else if (desc.contains("base64")) {
            return "base64";
        } else if (desc.contains("padding")) {
            return "padding";
        } else if (desc.contains("far-future")) {
            return "future";
        } else if (desc.contains("expired")) {
            return "expired";
        }
        return ".*";
    }

    @TestFactory
    List<DynamicTest> invalid() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : load("invalid.json")) {
            String desc = v.get("desc").asText();
            tests.add(DynamicTest.dynamicTest("invalid: " + desc, () ->
                    assertThatThrownBy(() -> codec(v).open(v.get("token").asText().getBytes(StandardCharsets.US_ASCII), null))
                            .isInstanceOf(SecretCodecException.class)
                            .hasMessageMatching("(?s).*(" + expectedReason(desc) + ").*")));
        }
        return tests;
    }
}
