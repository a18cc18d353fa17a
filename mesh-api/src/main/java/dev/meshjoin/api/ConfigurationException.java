package dev.meshjoin.api;

/** A setting is missing or invalid; the message names the setting and the accepted values. */
public class ConfigurationException extends MeshException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
