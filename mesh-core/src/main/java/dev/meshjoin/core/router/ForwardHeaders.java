package dev.meshjoin.core.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which headers a forwarder passes on, and the two it adds. Hop-by-hop headers (RFC 9110 §7.6.1,
 * and any the {@code Connection} header names) stay on their hop; {@code Host} and
 * {@code Content-Length} are set by the client for the next hop. {@code X-Forwarded-For} gets the
 * client's address appended; {@code Mesh-Hops} counts forwarders, so that a loop ends at the limit.
 */
public final class ForwardHeaders {
    /** The hop counter. */
    public static final String HOPS = "Mesh-Hops";
    /** The chain of client addresses. */
    public static final String FORWARDED_FOR = "X-Forwarded-For";
    private static final Set<String> DROPPED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "http2-settings");

    private ForwardHeaders() {
    }

    /** A header value that cannot be forwarded. */
    public static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /**
     * The hop count a request arrived with: 0 without the header.
     *
     * @throws Malformed when there is more than one, or it is not a number from 0 to 99
     */
    public static int hops(List<String> values) {
        if (values == null || values.isEmpty()) {
            return 0;
        }
        if (values.size() > 1) {
            throw new Malformed(HOPS + " appears " + values.size() + " times; send it at most once");
        }
        String v = values.get(0).strip();
        if (v.isEmpty() || v.length() > 2 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Malformed(HOPS + " must be a number of hops from 0 to 99, not '" + printable(v) + "'");
        }
        return Integer.parseInt(v);
    }

    /**
     * The headers to send to the next hop: the end-to-end ones, {@code X-Forwarded-For} with
     * {@code client} appended and {@code Mesh-Hops} set to {@code hops}.
     */
    public static Map<String, List<String>> request(Map<String, List<String>> in, String client, int hops) {
        Map<String, List<String>> out = endToEnd(in);
        List<String> chain = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : in.entrySet()) {
            if (e.getKey().equalsIgnoreCase(FORWARDED_FOR)) {
                chain.addAll(e.getValue());
            }
        }
        out.keySet().removeIf(k -> k.equalsIgnoreCase(FORWARDED_FOR) || k.equalsIgnoreCase(HOPS));
        chain.add(client);
        out.put(FORWARDED_FOR, List.of(String.join(", ", chain)));
        out.put(HOPS, List.of(Integer.toString(hops)));
        return out;
    }

    /** The response headers to pass back to the client. */
    public static Map<String, List<String>> response(Map<String, List<String>> in) {
        Map<String, List<String>> out = endToEnd(in);
        out.keySet().removeIf(k -> k.equalsIgnoreCase("date") || k.startsWith(":"));
        return out;
    }

    private static Map<String, List<String>> endToEnd(Map<String, List<String>> in) {
        Set<String> named = new java.util.HashSet<>(DROPPED);
        for (Map.Entry<String, List<String>> e : in.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase("connection")) {
                for (String v : e.getValue()) {
                    for (String token : v.split(",")) {
                        named.add(token.strip().toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> e : in.entrySet()) {
            String k = e.getKey();
            if (k == null || named.contains(k.toLowerCase(Locale.ROOT))) {
                continue;
            }
            out.computeIfAbsent(k, x -> new ArrayList<>()).addAll(e.getValue());
        }
        return out;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().limit(32).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return b.toString();
    }
}
