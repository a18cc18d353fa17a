package dev.meshjoin.api.overlay;

import dev.meshjoin.api.MeshException;

/** The overlay could not be started, reloaded or stopped; the message carries the daemon's own reason. */
public class OverlayException extends MeshException {
    private static final long serialVersionUID = 1L;

    public OverlayException(String message) {
        super(message);
    }

    public OverlayException(String message, Throwable cause) {
        super(message, cause);
    }
}
