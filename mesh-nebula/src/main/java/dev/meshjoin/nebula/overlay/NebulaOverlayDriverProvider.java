package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.overlay.OverlayDriver;
import dev.meshjoin.api.overlay.OverlayDriverProvider;

/** Finds the Nebula overlay driver with {@link java.util.ServiceLoader} under the name {@code nebula}. */
public final class NebulaOverlayDriverProvider implements OverlayDriverProvider {

    @Override
    public String name() {
        return "nebula";
    }

    @Override
    public OverlayDriver create(Options options) {
        NebulaOverlayDriver.Builder b = NebulaOverlayDriver.builder().environment(options.environment());
        options.binaryPath().ifPresent(b::binary);
        return b.build();
    }
}
