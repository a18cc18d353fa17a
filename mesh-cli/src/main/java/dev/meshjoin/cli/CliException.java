package dev.meshjoin.cli;

import dev.meshjoin.api.MeshException;

/** A refusal by {@code meshctl}: printed as one line on standard error, exit status {@link #status()}. */
public class CliException extends MeshException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public CliException(String message) {
        this(message, 1);
    }

    public CliException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
