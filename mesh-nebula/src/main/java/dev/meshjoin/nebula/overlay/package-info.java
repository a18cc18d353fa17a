/**
 * The Nebula overlay driver: finds the {@code nebula} binary, renders its YAML config, runs and
 * supervises the daemon, reloads it with SIGHUP, and reports health that means a peer answered
 * over the overlay. Start with {@link dev.meshjoin.nebula.overlay.NebulaOverlayDriver}.
 */
package dev.meshjoin.nebula.overlay;
