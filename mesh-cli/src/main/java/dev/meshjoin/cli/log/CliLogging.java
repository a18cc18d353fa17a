package dev.meshjoin.cli.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * meshctl's logging: everything the library logs through SLF4J goes to standard error, one line
 * per event, as text or as one JSON object per line; standard output stays for the command's own
 * output. Configured in code (no XML to parse at start-up), first by {@link DefaultConfigurator}
 * and again once the flags are read.
 */
public final class CliLogging {
    /** The text layout: time, level, the logger's last name, the message. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%n%ex{short}";
    /** The logger of {@code dev.meshjoin.api.secret.SecretSource}, whose warnings the commands print. */
    static final String SECRET_SOURCE = "dev.meshjoin.api.secret.SecretSource";
    private static volatile boolean json;

    private CliLogging() {
    }

    /** Whether the current format is JSON lines. */
    public static boolean json() {
        return json;
    }

    /**
     * Sends the library's log to standard error at this level, as text or JSON lines.
     *
     * @param level error, warn, info, debug or trace
     */
    public static synchronized void configure(String level, boolean asJson) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J backend is on the class path (an embedding application's): leave it be
        }
        json = asJson;
        configure(ctx, Level.toLevel(level, Level.INFO), asJson);
    }

    static void configure(LoggerContext ctx, Level level, boolean asJson) {
        ctx.reset();
        Encoder<ILoggingEvent> encoder;
        if (asJson) {
            JsonEncoder e = new JsonEncoder();
            e.setWithSequenceNumber(false);
            e.setWithNanoseconds(false);
            e.setWithContext(false);
            e.setWithMessage(false);
            e.setWithArguments(false);
            e.setWithMDC(false);
            e.setWithMarkers(false);
            e.setWithKVPList(false);
            e.setWithFormattedMessage(true);
            encoder = e;
        } else {
            PatternLayoutEncoder e = new PatternLayoutEncoder();
            e.setPattern(TEXT_PATTERN);
            encoder = e;
        }
        encoder.setContext(ctx);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(ctx);
        appender.setName("stderr");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(appender);
        // Every command prints the warnings of each secret it reads itself, naming the command
        // (Meshctl.warn); the API's own log line of the same warning would say it twice.
        ctx.getLogger(SECRET_SOURCE).setLevel(Level.ERROR);
    }
}
