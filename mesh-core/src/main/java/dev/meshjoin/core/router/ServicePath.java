package dev.meshjoin.core.router;

import dev.meshjoin.api.registry.ServiceInstance;

/**
 * A router request's target, {@code /svc/NAME/REST?QUERY}: the service's name and what the instance
 * is asked for ({@code /REST?QUERY}, byte for byte as the client sent it: percent-encodings are kept).
 *
 * @param service the service's name
 * @param target the path and query sent to the instance, starting with {@code /}
 */
public record ServicePath(String service, String target) {
    /** Where every routed path starts. */
    public static final String PREFIX = "/svc/";

    /** A path that does not name a service; the message says what the router expects. */
    public static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final boolean notRouted;

        Malformed(String message, boolean notRouted) {
            super(message);
            this.notRouted = notRouted;
        }

        /** True when the path is not under {@code /svc/} at all (404), false when its name is malformed (400). */
        public boolean notRouted() {
            return notRouted;
        }
    }

    /**
     * Parses a request's raw (still percent-encoded) path and query.
     *
     * @param rawQuery the query without {@code ?}, or null
     * @throws Malformed when it is not {@code /svc/NAME[/REST]} with a valid name
     */
    public static ServicePath parse(String rawPath, String rawQuery) {
        if (rawPath == null || !rawPath.startsWith(PREFIX)) {
            throw new Malformed("this router forwards /svc/NAME/PATH to a live instance of the service NAME;"
                    + " nothing else is here", true);
        }
        int slash = rawPath.indexOf('/', PREFIX.length());
        String name = slash < 0 ? rawPath.substring(PREFIX.length()) : rawPath.substring(PREFIX.length(), slash);
        if (!ServiceInstance.validName(name)) {
            throw new Malformed("'" + printable(name) + "' is not a service name: use /svc/NAME/PATH where NAME is a DNS label"
                    + " (lower-case letters, digits, inner hyphens)", false);
        }
        String rest = slash < 0 ? "/" : rawPath.substring(slash);
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new Malformed("the path has a space or control character; percent-encode it", false);
            }
        }
        if (rawQuery != null) {
            for (int i = 0; i < rawQuery.length(); i++) {
                char c = rawQuery.charAt(i);
                if (c <= 0x20 || c >= 0x7f) {
                    throw new Malformed("the query has a space or control character; percent-encode it", false);
                }
            }
        }
        return new ServicePath(name, rawQuery == null ? rest : rest + "?" + rawQuery);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().limit(64).forEach(c -> b.append(c > 0x20 && c < 0x7f ? (char) c : '?'));
        return b.toString();
    }
}
