package dev.meshjoin.testkit.netns;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs short commands to completion, reading their output while they run. */
final class Commands {
    private Commands() {
    }

    static CommandResult run(List<String> command, long timeoutSeconds) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new NetnsException("cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
        }
        InputStream in = p.getInputStream();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new NetnsException("'" + String.join(" ", command) + "' did not finish within " + timeoutSeconds + " s");
            }
            return new CommandResult(command, p.exitValue(), output.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetnsException("interrupted while running '" + String.join(" ", command) + "'", e);
        } catch (ExecutionException | TimeoutException e) {
            return new CommandResult(command, p.exitValue(), "");
        }
    }
}
