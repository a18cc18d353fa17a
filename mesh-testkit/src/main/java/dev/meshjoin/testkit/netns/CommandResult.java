package dev.meshjoin.testkit.netns;

import java.util.List;

/**
 * What a finished command produced.
 *
 * @param command the command as run
 * @param exitCode its exit code
 * @param output stdout and stderr, interleaved
 */
public record CommandResult(List<String> command, int exitCode, String output) {
    public CommandResult {
        command = List.copyOf(command);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result when the command succeeded, else throws with its output. */
    public CommandResult orThrow() {
        if (exitCode != 0) {
            throw new NetnsException("'" + String.join(" ", command) + "' exited with " + exitCode + ": " + output.strip());
        }
        return this;
    }
}
