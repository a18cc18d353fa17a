package dev.meshjoin.api.net;

import dev.meshjoin.api.ConfigurationException;

/**
 * A host and port where something listens: a lighthouse's public UDP endpoint, a signing service.
 * The host is kept as written (a name or an address literal); IPv6 literals are written in
 * brackets, {@code [2001:db8::1]:4242}.
 */
public record Endpoint(String host, int port) {

    public Endpoint {
        if (host == null || host.isBlank()) {
            throw new ConfigurationException("an endpoint needs a host");
        }
        if (host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@')) {
            throw new ConfigurationException("'" + host + "' is not a host name or address");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigurationException("port " + port + " is outside 1..65535");
        }
    }

    /** Parses {@code host:port} or {@code [v6]:port}. */
    public static Endpoint parse(String text) {
        if (text == null) {
            throw new ConfigurationException("an endpoint such as 203.0.113.5:4242 is required, got nothing");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new ConfigurationException("'" + text + "' is not an endpoint; write [v6-address]:port");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                throw new ConfigurationException("'" + text + "' is not an endpoint; write host:port such as 203.0.113.5:4242");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigurationException("'" + text + "' has no valid port; the port must be a number 1..65535");
        }
        return new Endpoint(host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
