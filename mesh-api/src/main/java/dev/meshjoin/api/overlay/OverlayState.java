package dev.meshjoin.api.overlay;

/** The life of an overlay as its driver sees it. */
public enum OverlayState {
    /** Not started, or stopped cleanly. */
    STOPPED,
    /** The daemon is starting; no peer has answered yet. */
    STARTING,
    /** A peer has answered over the overlay. */
    UP,
    /** It was up and has lost its peers or its daemon; the driver is trying to recover. */
    DEGRADED,
    /** The driver gave up; {@link OverlayHealth#detail()} says why. */
    FAILED
}
