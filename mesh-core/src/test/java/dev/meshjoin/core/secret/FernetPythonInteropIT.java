package dev.meshjoin.core.secret;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshjoin.api.secret.SecretCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with Python's {@code cryptography} package, which the original used: Python
 * derives the {@code fernet-legacy} key as the original did and makes tokens that Java opens, and
 * opens the tokens Java makes. Needs {@code python3} with {@code cryptography} (Debian's
 * {@code python3-cryptography}); skipped with the reason when either is missing.
 */
class FernetPythonInteropIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSPHRASE = "gZ3-example VPN key ✓ with ünïcode";

    // The original's derivation, written as it did it: PBKDF2HMAC from cryptography, then Fernet.
    private static final String PYTHON = String.join("\n",
            "import base64, json, os, sys",
            "from cryptography.fernet import Fernet",
            "from cryptography.hazmat.primitives import hashes",
            "from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC",
            "kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=b'rma-demo-vpn-salt-v1', iterations=100000)",
            "f = Fernet(base64.urlsafe_b64encode(kdf.derive(os.environ['VPN_ENCRYPTION_KEY'].encode())))",
            "req = json.load(sys.stdin)",
            "out = {'made': [f.encrypt(p.encode()).decode() for p in req['plaintexts']],",
            "       'opened': [f.decrypt(t.encode(), ttl=3600).decode() for t in req['tokens']]}",
            "json.dump(out, sys.stdout)");

    // Checked before each test, not in @BeforeAll: an assumption there makes Failsafe count no test at
    // all, while here every test is reported skipped with the reason.
    @BeforeEach
    void needsPythonWithCryptography() throws Exception {
        Result probe;
        try {
            probe = python("import cryptography.fernet", "", Map.of());
        } catch (IOException e) {
            probe = null;
        }
        assumeTrue(probe != null, "python3 is not installed; install it to run the Fernet interoperability test");
        assumeTrue(probe.status == 0, "python3 has no 'cryptography' module (install Debian's python3-cryptography): "
                + probe.err.strip());
    }

    @Test
    void pythonAndJavaOpenEachOthersLegacyTokens() throws Exception {
        SecretCodec java = SecretCodecs.create("fernet-legacy", PASSPHRASE.toCharArray(), null);
        List<String> plaintexts = List.of("", "hello", "{\"ca_key\":\"-----BEGIN NEBULA ED25519 PRIVATE KEY-----\"}",
                "x".repeat(1000), "ünïcode ✓");
        List<String> javaTokens = new ArrayList<>();
        for (String p : plaintexts) {
            javaTokens.add(new String(java.seal(p.getBytes(UTF_8), null), UTF_8));
        }
        String request = JSON.writeValueAsString(Map.of("plaintexts", plaintexts, "tokens", javaTokens));

        Result r = python(PYTHON, request, Map.of("VPN_ENCRYPTION_KEY", PASSPHRASE));

        assertThat(r.status).as("python failed: %s", r.err).isZero();
        JsonNode out = JSON.readTree(r.out);
        List<String> opened = new ArrayList<>();
        out.get("opened").forEach(n -> opened.add(n.asText()));
        assertThat(opened).as("Python opens Java's tokens").isEqualTo(plaintexts);
        for (int i = 0; i < plaintexts.size(); i++) {
            String token = out.get("made").get(i).asText();
            assertThat(new String(java.open(token.getBytes(UTF_8), null), UTF_8)).as("Java opens Python's token")
                    .isEqualTo(plaintexts.get(i));
            assertThat(java.keyIdOf(token.getBytes(UTF_8))).isEqualTo(java.currentKeyId());
        }
    }

    private record Result(int status, String out, String err) {
    }

    private static Result python(String script, String stdin, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", script);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python3 did not finish within 60 s");
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
