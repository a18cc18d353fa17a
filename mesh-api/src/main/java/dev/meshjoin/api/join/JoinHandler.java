package dev.meshjoin.api.join;

/** The lighthouse side of a join: turns a request into a response or a refusal. */
@FunctionalInterface
public interface JoinHandler {

    /**
     * @param source where the request came from ({@code host:port} or an opaque id)
     * @throws dev.meshjoin.api.JoinRefusedException when it is refused
     */
    JoinResponse handle(JoinRequest request, String source);
}
