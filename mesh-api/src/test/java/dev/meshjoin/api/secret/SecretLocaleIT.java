package dev.meshjoin.api.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;

/**
 * A non-ASCII secret from the environment gives the same key whatever the child JVM's locale:
 * the case of a service manager or container that starts Java without {@code LANG}.
 */
class SecretLocaleIT {
    static final String SECRET = "pässwörd-ünïcødé-✓-秘密";

    /** Child main: prints the key derived from the secret read by SecretSource, then the getenv one. */
    public static void main(String[] args) throws Exception {
        SecretValue v = SecretSource.process().read(args[0]).orElseThrow();
        System.out.println(derive(v.chars()));
        System.out.println(derive(System.getenv(args[0]).toCharArray()));
    }

    static String derive(char[] passphrase) throws Exception {
        PBEKeySpec spec = new PBEKeySpec(passphrase, "meshjoin-test-salt".getBytes(StandardCharsets.UTF_8), 1000, 256);
        byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        return HexFormat.of().formatHex(key);
    }

    @Test
    void aNonAsciiSecretGivesTheSameKeyWithAndWithoutLang() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/environ")),
                "needs Linux /proc/self/environ (elsewhere the reader falls back to getenv)");
        String expected = derive(SECRET.toCharArray());

        List<String> noLang = child(Map.of());
        List<String> utf8 = child(Map.of("LANG", "C.UTF-8"));

        assertThat(noLang.get(0)).as("SecretSource, LANG unset").isEqualTo(expected);
        assertThat(utf8.get(0)).as("SecretSource, LANG=C.UTF-8").isEqualTo(expected);
        // What made this necessary: getenv under the POSIX locale derives another key.
        assertThat(noLang.get(1)).as("System.getenv, LANG unset").isNotEqualTo(expected);
        assertThat(utf8.get(1)).as("System.getenv, LANG=C.UTF-8").isEqualTo(expected);
    }

    private static List<String> child(Map<String, String> locale) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SecretLocaleIT.class.getName(), "MESH_SECRET");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
        env.putAll(locale);
        env.put("MESH_SECRET", SECRET);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        List<String> lines = text.lines().filter(l -> l.matches("[0-9a-f]{64}")).toList();
        assertThat(lines).as(text).hasSize(2);
        return lines;
    }
}
