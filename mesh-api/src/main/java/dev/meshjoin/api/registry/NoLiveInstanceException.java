package dev.meshjoin.api.registry;

/** Nobody offers a service right now (or every instance failed): the message names the service. */
public class NoLiveInstanceException extends RegistryException {
    private static final long serialVersionUID = 1L;
    private final String service;

    public NoLiveInstanceException(String service, String message) {
        super(message);
        this.service = service;
    }

    public NoLiveInstanceException(String service, String message, Throwable cause) {
        super(message, cause);
        this.service = service;
    }

    /** The service nobody offers. */
    public String service() {
        return service;
    }
}
