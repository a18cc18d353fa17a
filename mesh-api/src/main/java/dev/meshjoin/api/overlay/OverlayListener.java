package dev.meshjoin.api.overlay;

/** Told of every state change of an overlay driver, on the driver's own thread; keep it quick. */
@FunctionalInterface
public interface OverlayListener {
    void onChange(OverlayHealth previous, OverlayHealth current);
}
