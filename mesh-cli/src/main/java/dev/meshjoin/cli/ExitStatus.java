package dev.meshjoin.cli;

/**
 * The exit statuses of {@code meshctl}, the same for every command so scripts and service
 * managers can tell a usage mistake from a failed join from a fallback.
 */
public final class ExitStatus {
    /** Done; for {@code up}: stopped cleanly after READY. */
    public static final int OK = 0;
    /** An error, or a join that ended FAILED. */
    public static final int ERROR = 1;
    /** A usage mistake: unknown command or flag, missing or malformed value. */
    public static final int USAGE = 2;
    /** {@code up}: the overlay cannot come up here (FALLBACK); use another transport. */
    public static final int FALLBACK = 3;

    /** The table shown by {@code meshctl help}. */
    public static final String HELP = """
            exit status:
              0  ok (up: stopped cleanly after READY; status: READY)
              1  error, or the join ended FAILED (status: not READY)
              2  usage: unknown command or flag, missing or malformed value
              3  up: FALLBACK, the overlay cannot come up here; use another transport""";

    private ExitStatus() {
    }
}
