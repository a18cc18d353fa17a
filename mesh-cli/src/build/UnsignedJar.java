import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Locale;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A build step of mesh-cli (see its pom.xml, execution {@code unsigned-bcprov}): copies a jar
 * without its signature. Every entry is copied as it is, in order and with its time, except the
 * signature files ({@code META-INF/*.SF}, {@code .RSA}, {@code .DSA}, {@code .EC}, {@code SIG-*})
 * and the manifest, which is replaced by one holding only the attributes given: the old one is
 * mostly per-entry digests that mean nothing without the signature.
 *
 * <pre>
 * java UnsignedJar.java IN.jar OUT.jar Multi-Release=true Implementation-Version=1.87
 * </pre>
 */
public final class UnsignedJar {
    private UnsignedJar() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java UnsignedJar.java IN.jar OUT.jar [ATTRIBUTE=VALUE...]");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + args[i] + "' is not ATTRIBUTE=VALUE");
            }
            manifest.getMainAttributes().putValue(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        // Written beside the target and moved over it, so no half-written jar is ever on the class path.
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        int copied = 0;
        int dropped = 0;
        try (ZipFile zip = new ZipFile(in.toFile());
             OutputStream file = Files.newOutputStream(partial);
             JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (signatureOrManifest(e.getName())) {
                    dropped++;
                    continue;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                jar.putNextEntry(copy);
                try (InputStream data = zip.getInputStream(e)) {
                    data.transferTo(jar);
                }
                jar.closeEntry();
                copied++;
            }
        }
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("UnsignedJar: " + out.getFileName() + ": " + copied + " entries copied, " + dropped
                + " signature and manifest entries dropped");
    }

    /** The manifest and the signature files the jar specification puts directly in META-INF/. */
    static boolean signatureOrManifest(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (!n.startsWith("META-INF/") || n.indexOf('/', "META-INF/".length()) >= 0) {
            return false;
        }
        String file = n.substring("META-INF/".length());
        return file.equals("MANIFEST.MF") || file.startsWith("SIG-") || file.endsWith(".SF") || file.endsWith(".RSA")
                || file.endsWith(".DSA") || file.endsWith(".EC");
    }
}
