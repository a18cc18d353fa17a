package dev.meshjoin.nebula.cert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Golden files written by nebula-cert 1.6.1; see src/test/resources/nebula-cert-1.6.1/README.md. */
final class Fixtures {
    /** An instant inside every fixture's validity. */
    static final Instant INSIDE = Instant.parse("2027-06-01T00:00:00Z");

    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/nebula-cert-1.6.1/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}
