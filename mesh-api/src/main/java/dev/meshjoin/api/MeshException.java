package dev.meshjoin.api;

/**
 * Root of every exception meshjoin throws. Unchecked: a host application catches it where it can
 * act, and the message always says what to do next.
 *
 * <pre>{@code
 * try {
 *     node.join();
 * } catch (MeshException e) {
 *     log.warn("mesh unavailable, using the fallback transport: {}", e.getMessage());
 * }
 * }</pre>
 */
public class MeshException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MeshException(String message) {
        super(message);
    }

    public MeshException(String message, Throwable cause) {
        super(message, cause);
    }
}
