package dev.meshjoin.cli;

/**
 * One {@code meshctl} subcommand, found with {@link java.util.ServiceLoader} (list it in
 * {@code META-INF/services/dev.meshjoin.cli.Command}).
 */
public interface Command {

    /** The word that selects it, such as {@code sign}. */
    String name();

    /** One line for {@code meshctl help}. */
    String summary();

    /**
     * Runs the command.
     *
     * @return the exit status: 0 on success
     * @throws CliException for a refusal; its message is printed as one line and the exit status is 1
     */
    int run(Invocation invocation) throws Exception;
}
