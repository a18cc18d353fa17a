package dev.meshjoin.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The work a class-data archive of meshctl is recorded from: run once under
 * {@code -XX:ArchiveClassesAtExit}, it makes the classes of a cold {@code meshctl up} load from
 * the archive instead of being parsed and verified again on every start. It founds a network on
 * a file store in a temporary directory (CA, sealed key, signing service), stops where the overlay
 * would start (no root or nebula needed), then joins it as a second node (network-secret proof,
 * the HTTP join transport), and runs the read-only commands. Nothing leaves the loopback.
 *
 * <pre>
 * java -XX:ArchiveClassesAtExit=meshctl.jsa -cp "lib/*" dev.meshjoin.cli.CdsTraining
 * </pre>
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("meshctl-cds-");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = Map.of("MESH_SECRET", "cds-training-network-secret",
                "MESH_CA_PASSPHRASE", "cds-training-ca-passphrase");
        String store = "file:" + dir.resolve("store");
        Meshctl meshctl = new Meshctl();
        try {
            run(meshctl, dir, env, quiet, "up", "--name", "founder", "--store", store, "--state-dir",
                    dir.resolve("founder").toString(), "--public-endpoint", "127.0.0.1:4242", "--signing-port",
                    String.valueOf(port), "--nebula", "/bin/false", "--join-timeout", "20s");
            run(meshctl, dir, env, quiet, "up", "--name", "joiner", "--store", store, "--state-dir",
                    dir.resolve("joiner").toString(), "--nebula", "/bin/false", "--join-timeout", "1s");
            run(meshctl, dir, env, quiet, "members", "--store", store, "--json");
            run(meshctl, dir, env, quiet, "token", "create", "--store", store, "--groups", "workers");
            run(meshctl, dir, env, quiet, "token", "list", "--store", store);
            run(meshctl, dir, env, quiet, "version");
            run(meshctl, dir, env, quiet, "help", "up");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(Meshctl meshctl, Path dir, Map<String, String> env, PrintStream quiet, String... args) {
        int status = meshctl.run(new Invocation(List.of(args), InputStream.nullInputStream(), quiet, quiet, env, dir));
        System.out.println("cds training: meshctl " + args[0] + " -> " + status);
    }
}
