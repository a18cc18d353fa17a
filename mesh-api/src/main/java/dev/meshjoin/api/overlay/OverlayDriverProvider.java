package dev.meshjoin.api.overlay;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Makes {@link OverlayDriver}s of one kind; registered in {@code META-INF/services} so that an
 * entry point such as {@code MeshJoin} finds the overlay on the class path without naming it.
 *
 * <pre>{@code
 * for (OverlayDriverProvider p : ServiceLoader.load(OverlayDriverProvider.class)) {
 *     OverlayDriver driver = p.create(OverlayDriverProvider.Options.defaults());
 * }
 * }</pre>
 */
public interface OverlayDriverProvider {

    /** The overlay's name, such as {@code nebula}. */
    String name();

    /** A new driver for one node. */
    OverlayDriver create(Options options);

    /**
     * What a host may say about the overlay without knowing its driver.
     *
     * @param binary the overlay executable, or null for the driver's own lookup
     * @param environment where the driver reads its environment variables (such as the binary's
     *     location); the process environment by default
     */
    record Options(Path binary, Map<String, String> environment) {
        public Options {
            environment = environment == null ? System.getenv() : Map.copyOf(environment);
        }

        /** The driver's own defaults, read from the process environment. */
        public static Options defaults() {
            return new Options(null, null);
        }

        /** The binary, when one was named. */
        public Optional<Path> binaryPath() {
            return Optional.ofNullable(binary);
        }
    }
}
