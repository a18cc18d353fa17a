package dev.meshjoin.cli.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Found by logback through {@link java.util.ServiceLoader} when the first logger is made: text at
 * INFO on standard error, so nothing is logged to standard output (logback's own default) before
 * meshctl has read its flags, and no configuration file is searched for or parsed.
 */
public final class DefaultConfigurator extends ContextAwareBase implements Configurator {

    /** Called by logback's ServiceLoader. */
    public DefaultConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        CliLogging.configure(context, Level.INFO, false);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
