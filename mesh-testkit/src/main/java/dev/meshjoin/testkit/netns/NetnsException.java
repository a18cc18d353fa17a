package dev.meshjoin.testkit.netns;

/** A namespace, link or command of the test network could not be set up or run. */
public class NetnsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetnsException(String message) {
        super(message);
    }

    public NetnsException(String message, Throwable cause) {
        super(message, cause);
    }
}
