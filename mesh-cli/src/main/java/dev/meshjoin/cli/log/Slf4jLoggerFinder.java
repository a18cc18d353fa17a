package dev.meshjoin.cli.log;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link System.Logger} records to SLF4J, and so to meshctl's backend: the modules that may
 * depend on nothing but the JDK ({@code mesh-api}, the file store's damage reports) log through
 * {@code System.getLogger}, which would otherwise reach {@code java.util.logging} and print two
 * lines of its own format per event, whatever {@code -log-level} and {@code -log-format} say.
 * Registered as a {@code java.lang.System$LoggerFinder} service of meshctl only; the library modules
 * leave the choice to the application that embeds them.
 */
public final class Slf4jLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Bridge(LoggerFactory.getLogger(name));
    }

    /** One System.Logger over one SLF4J logger. */
    static final class Bridge implements System.Logger {
        private final Logger log;

        Bridge(Logger log) {
            this.log = log;
        }

        @Override
        public String getName() {
            return log.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return switch (level) {
                case ALL, TRACE -> log.isTraceEnabled();
                case DEBUG -> log.isDebugEnabled();
                case INFO -> log.isInfoEnabled();
                case WARNING -> log.isWarnEnabled();
                case ERROR -> log.isErrorEnabled();
                case OFF -> false;
            };
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) {
                emit(level, localized(bundle, msg), thrown);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!isLoggable(level)) {
                return;
            }
            String text = localized(bundle, format);
            if (params != null && params.length > 0) {
                try {
                    text = MessageFormat.format(text, params);
                } catch (IllegalArgumentException e) {
                    // A malformed pattern is logged as it is rather than lost.
                }
            }
            emit(level, text, null);
        }

        private static String localized(ResourceBundle bundle, String key) {
            if (bundle == null || key == null) {
                return key;
            }
            try {
                return bundle.getString(key);
            } catch (MissingResourceException e) {
                return key;
            }
        }

        private void emit(Level level, String text, Throwable thrown) {
            switch (level) {
                case ALL, TRACE -> log.trace(text, thrown);
                case DEBUG -> log.debug(text, thrown);
                case INFO -> log.info(text, thrown);
                case WARNING -> log.warn(text, thrown);
                case ERROR -> log.error(text, thrown);
                case OFF -> { }
            }
        }
    }
}
