package dev.meshjoin.cli;

/**
 * {@code -h}, {@code -help} or {@code --help} on a command: its usage goes to standard output and
 * the exit status is 0, as with nebula-cert, since asking for help is not an error.
 */
public final class HelpRequest extends CliException {
    private static final long serialVersionUID = 1L;

    public HelpRequest(String usage) {
        super(usage, ExitStatus.OK);
    }
}
