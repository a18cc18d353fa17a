package dev.meshjoin.cli;

import dev.meshjoin.core.MeshNodeListener;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code meshctl up} prints on standard output: one line per state change the node reports
 * (its detail says what it waits for), with the time since the join began and, until the join
 * ends, how much of the join timeout is left. {@code READY <address>} and {@code joined in N ms}
 * are lines scripts wait for. With {@code -log-format json} every line is a JSON object instead.
 *
 * <p>Lines are driven by the node's own status changes: nothing here runs on a timer.
 */
final class UpProgress implements MeshNodeListener {
    private final PrintStream out;
    private final boolean json;
    private final Duration joinTimeout;
    private volatile long startedNanos = System.nanoTime();
    private volatile boolean joined;

    UpProgress(PrintStream out, boolean json, Duration joinTimeout) {
        this.out = out;
        this.json = json;
        this.joinTimeout = joinTimeout;
    }

    /** Marks the start of {@code join()}: elapsed and remaining times count from here. */
    void started() {
        startedNanos = System.nanoTime();
    }

    private long elapsedMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    @Override
    public void onStateChange(NodeStatus before, NodeStatus now) {
        long elapsed = elapsedMillis();
        boolean waiting = !joined && !now.state().terminal() && now.state() != NodeState.NEW;
        long left = Math.max(0, joinTimeout.toMillis() - elapsed);
        String address = now.address().map(a -> a.address().toString()).orElse(null);
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", now.at().toString());
            line.put("state", now.state().name());
            line.put("detail", now.detail());
            line.put("address", address);
            line.put("elapsed_ms", elapsed);
            line.put("left_ms", waiting ? left : null);
            emit(CliJson.write(line));
        } else if (now.state() == NodeState.READY) {
            emit("READY " + (address == null ? "?" : address));
        } else {
            emit(now.state() + " " + Meshctl.oneLine(now.detail()) + " (+" + elapsed + " ms"
                    + (waiting ? ", " + seconds((left + 999) / 1000) + " left" : "") + ")");
        }
    }

    /** After {@code join()} returned READY: {@code joined in N ms [as founder]}. */
    void joined(NodeStatus status) {
        joined = true;
        long elapsed = elapsedMillis();
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", status.at().toString());
            line.put("event", "joined");
            line.put("address", status.address().map(a -> a.address().toString()).orElse(null));
            line.put("founder", status.founder());
            line.put("elapsed_ms", elapsed);
            line.put("since_process_start_ms", sinceStart().orElse(null));
            emit(CliJson.write(line));
        } else {
            emit("joined in " + elapsed + " ms" + (status.founder() ? " as founder" : "")
                    + sinceStart().map(ms -> " (" + ms + " ms since the process started)").orElse(""));
        }
    }

    /**
     * Says where a part of the node serves: {@code WHAT at URL}, or with {@code --log-format json} a
     * JSON line {@code {"time":…,"event":"serving","what":WHAT,"url":URL}}, so that every line of a
     * JSON-format run stays one JSON object.
     */
    static void serving(PrintStream out, String what, String url) {
        String line = dev.meshjoin.cli.log.CliLogging.json() ? CliJson.event("serving", "what", what, "url", url)
                : what + " at " + url;
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** Milliseconds since this process started (a cold start's whole cost), where the OS tells. */
    private static java.util.Optional<Long> sinceStart() {
        return ProcessAge.millis();
    }

    /** 45s, 1m58s, 1h2m: as short as a person reads it. */
    static String seconds(long s) {
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
    }

    private void emit(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
