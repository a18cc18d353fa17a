package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.ca.HostKeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code nebula-cert} binary, for tests: a CA in a directory, key pairs made by
 * {@code keygen}, certificates signed for a public key with {@code -in-pub}.
 */
final class NebulaCertTool {
    private final Path dir;

    NebulaCertTool(Path dir) {
        this.dir = dir;
    }

    /** Why the tool cannot run here, or empty. */
    static Optional<String> unavailableReason() {
        try {
            Process p = new ProcessBuilder("nebula-cert", "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.empty()
                    : Optional.of("nebula-cert -version failed");
        } catch (IOException | InterruptedException e) {
            return Optional.of("nebula-cert is not installed (apt-get install nebula): " + e.getMessage());
        }
    }

    static String run(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("nebula-cert");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    NebulaCertTool ca(String name) throws IOException, InterruptedException {
        run(dir, "ca", "-name", name, "-out-crt", "ca.crt", "-out-key", "ca.key");
        return this;
    }

    byte[] caPem() throws IOException {
        return Files.readAllBytes(dir.resolve("ca.crt"));
    }

    /** A key pair made by nebula-cert keygen, returned raw; the PEM files stay in the directory. */
    HostKeyPair keygen(String name) throws IOException, InterruptedException {
        run(dir, "keygen", "-out-key", name + ".key", "-out-pub", name + ".pub");
        return new HostKeyPair(pemBody(dir.resolve(name + ".pub")), pemBody(dir.resolve(name + ".key")));
    }

    /** Signs a certificate for the public key made by {@link #keygen}. */
    byte[] sign(String name, String ipCidr, String groups) throws IOException, InterruptedException {
        return sign(name, ipCidr, groups, name + ".crt");
    }

    byte[] sign(String name, String ipCidr, String groups, String outFile) throws IOException, InterruptedException {
        return sign(name, ipCidr, groups, outFile, null);
    }

    /** Signs with an explicit validity such as {@code 100h}, or the CA's remaining life when null. */
    byte[] sign(String name, String ipCidr, String groups, String outFile, String duration) throws IOException, InterruptedException {
        Files.deleteIfExists(dir.resolve(outFile));
        List<String> args = new ArrayList<>(List.of("sign", "-name", name, "-ip", ipCidr, "-in-pub", name + ".pub",
                "-out-crt", outFile));
        if (duration != null) {
            args.add("-duration");
            args.add(duration);
        }
        if (groups != null && !groups.isEmpty()) {
            args.add("-groups");
            args.add(groups);
        }
        run(dir, args.toArray(String[]::new));
        return Files.readAllBytes(dir.resolve(outFile));
    }

    Path dir() {
        return dir;
    }

    static byte[] pemBody(Path pem) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line : Files.readAllLines(pem, StandardCharsets.US_ASCII)) {
            if (!line.startsWith("-----")) {
                b.append(line.strip());
            }
        }
        return Base64.getDecoder().decode(b.toString());
    }
}
