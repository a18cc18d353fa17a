package dev.meshjoin.cli.nebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** meshctl and nebula-cert used side by side on the same files: an operator can use either tool. */
class MeshctlNebulaCertIT {
    @TempDir
    Path dir;
    private Path nebulaCert;

    private record Run(int status, String out) {
    }

    @BeforeEach
    void findNebulaCert() {
        Optional<Path> found = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d.isEmpty() ? "." : d, "nebula-cert")).filter(Files::isExecutable).findFirst();
        assumeTrue(found.isPresent(), "nebula-cert is not on PATH; install Debian's nebula package to run this test");
        nebulaCert = found.get();
    }

    private Run nebulaCert(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(nebulaCert.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private Cli.Result meshctl(String... args) {
        Cli.Result r = Cli.meshctl(dir, args);
        assertThat(r.status()).as("meshctl %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    @Test
    void meshctlSignsWithANebulaCertCaForANebulaCertKeyAndNebulaCertAgrees() throws Exception {
        assertThat(nebulaCert("ca", "-name", "Ops CA", "-ips", "10.42.0.0/16", "-groups", "workers,ops").status()).isZero();
        assertThat(nebulaCert("keygen", "-out-key", "w.key", "-out-pub", "w.pub").status()).isZero();
        meshctl("sign", "-name", "worker-1", "-ip", "10.42.0.11/16", "-groups", "workers", "-in-pub", "w.pub");
        assertThat(nebulaCert("verify", "-ca", "ca.crt", "-crt", "worker-1.crt").status()).isZero();
        assertThat(meshctl("print", "-json", "-path", "worker-1.crt").out())
                .isEqualTo(nebulaCert("print", "-json", "-path", "worker-1.crt").out());
        assertThat(meshctl("print", "-path", "ca.crt").out()).isEqualTo(nebulaCert("print", "-path", "ca.crt").out());
    }

    @Test
    void nebulaCertSignsWithAMeshctlCaAndMeshctlVerifiesIt() throws Exception {
        meshctl("ca", "-name", "Mesh CA", "-ips", "10.43.0.0/16", "-duration", "2h");
        meshctl("keygen", "-out-key", "h.key", "-out-pub", "h.pub");
        assertThat(nebulaCert("sign", "-name", "h", "-ip", "10.43.0.5/16", "-in-pub", "h.pub").out()).isEmpty();
        meshctl("verify", "-ca", "ca.crt", "-crt", "h.crt");
        assertThat(nebulaCert("verify", "-ca", "ca.crt", "-crt", "h.crt").status()).isZero();
        assertThat(meshctl("print", "-json", "-path", "ca.crt").out()).isEqualTo(nebulaCert("print", "-json", "-path", "ca.crt").out());

        // the same refusal from both tools
        assertThat(nebulaCert("sign", "-name", "x", "-ip", "10.99.0.5/16").status()).isNotZero();
        Cli.Result refused = Cli.meshctl(dir, "sign", "-name", "x", "-ip", "10.99.0.5/16");
        assertThat(refused.status()).isNotZero();
        assertThat(refused.err()).contains("outside").hasLineCount(1);
    }
}
