package dev.meshjoin.core.address;

import dev.meshjoin.api.ConfigurationException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds this node's public address from sources in order of trust, and never calls a private,
 * loopback, link-local, carrier-grade NAT, documentation or container-bridge address public
 * (unless the operator allows the range):
 *
 * <ol>
 *   <li>an address the operator configured;</li>
 *   <li>the address a lighthouse's signing service saw the join request come from (as STUN would);</li>
 *   <li>HTTP echo endpoints, whose answers are parsed strictly and must agree (a quorum);</li>
 *   <li>addresses on local interfaces.</li>
 * </ol>
 *
 * <pre>{@code
 * PublicAddressDetector detector = PublicAddressDetector.builder()
 *         .echoEndpoints(List.of(URI.create("https://echo-a.example/ip"), URI.create("https://echo-b.example/ip")))
 *         .build();
 * Optional<DetectedAddress> found = detector.detect(Optional.of(joinResponse.observedSource()));
 * }</pre>
 */
public final class PublicAddressDetector {
    private static final int MAX_ECHO_BYTES = 256;

    private final String configured;
    private final List<URI> echoEndpoints;
    private final int quorum;
    private final boolean useInterfaces;
    private final AddressClass classifier;
    /** Made at the first echo query: most nodes are given their endpoint or told it by a lighthouse, and never ask. */
    private HttpClient http;
    private final Duration timeout;
    private final Supplier<List<InetAddress>> interfaces;

    private PublicAddressDetector(Builder b) {
        this.configured = b.configured;
        this.echoEndpoints = List.copyOf(b.echoEndpoints);
        this.quorum = b.quorum > 0 ? b.quorum : Math.min(2, Math.max(1, echoEndpoints.size()));
        if (!echoEndpoints.isEmpty() && quorum > echoEndpoints.size()) {
            throw new ConfigurationException("an echo quorum of " + quorum + " needs at least that many echo endpoints, got "
                    + echoEndpoints.size());
        }
        this.useInterfaces = b.useInterfaces;
        this.classifier = new AddressClass(b.allowed);
        this.timeout = b.timeout;
        this.interfaces = b.interfaces;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@link #detect(Optional)} with nothing observed by a lighthouse. */
    public Optional<DetectedAddress> detect() {
        return detect(Optional.empty());
    }

    /**
     * The first source that yields a public address, or empty with nothing public found.
     *
     * @param observedByLighthouse the source address ({@code ip} or {@code ip:port}) a lighthouse saw
     *     this node's join request come from, if any
     */
    public Optional<DetectedAddress> detect(Optional<String> observedByLighthouse) {
        List<String> notes = new ArrayList<>();
        if (configured != null) {
            InetAddress a = AddressClass.parseLiteral(configured);
            String why = classifier.whyNotPublic(a);
            if (why != null) {
                throw new ConfigurationException("the configured public address " + configured + " is not public: " + why
                        + "; allow its range explicitly if this is intended");
            }
            notes.add("configured: " + a.getHostAddress());
            return Optional.of(new DetectedAddress(a, DetectedAddress.Source.CONFIGURED, notes));
        }
        Optional<String> seen = observedByLighthouse;
        if (seen.isPresent()) {
            Optional<InetAddress> a = publicOrNote("observed by lighthouse", seen.get(), notes);
            if (a.isPresent()) {
                return Optional.of(new DetectedAddress(a.get(), DetectedAddress.Source.OBSERVED_BY_LIGHTHOUSE, notes));
            }
        } else {
            notes.add("observed by lighthouse: nothing yet");
        }
        if (!echoEndpoints.isEmpty()) {
            Optional<InetAddress> a = askEchoes(notes);
            if (a.isPresent()) {
                return Optional.of(new DetectedAddress(a.get(), DetectedAddress.Source.HTTP_ECHO, notes));
            }
        }
        if (useInterfaces) {
            for (InetAddress a : interfaces.get()) {
                String why = classifier.whyNotPublic(a);
                if (why == null) {
                    notes.add("local interface: " + a.getHostAddress());
                    return Optional.of(new DetectedAddress(a, DetectedAddress.Source.LOCAL_INTERFACE, notes));
                }
                notes.add("local interface: " + why);
            }
        }
        return Optional.empty();
    }

    private Optional<InetAddress> publicOrNote(String source, String text, List<String> notes) {
        InetAddress a;
        try {
            a = AddressClass.parseLiteral(stripPort(text));
        } catch (IllegalArgumentException e) {
            notes.add(source + ": refused, " + e.getMessage());
            return Optional.empty();
        }
        String why = classifier.whyNotPublic(a);
        if (why != null) {
            notes.add(source + ": refused, " + why);
            return Optional.empty();
        }
        notes.add(source + ": " + a.getHostAddress());
        return Optional.of(a);
    }

    private static String stripPort(String text) {
        String t = text.strip();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            return close > 0 ? t.substring(1, close) : t;
        }
        int colon = t.indexOf(':');
        return colon > 0 && colon == t.lastIndexOf(':') ? t.substring(0, colon) : t;
    }

    private Optional<InetAddress> askEchoes(List<String> notes) {
        Map<InetAddress, Integer> votes = new HashMap<>();
        for (URI uri : echoEndpoints) {
            String answer;
            try {
                HttpResponse<byte[]> r = http().send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    notes.add("echo " + uri.getHost() + ": refused, HTTP " + r.statusCode());
                    continue;
                }
                if (r.body().length > MAX_ECHO_BYTES) {
                    notes.add("echo " + uri.getHost() + ": refused, answer longer than " + MAX_ECHO_BYTES + " bytes");
                    continue;
                }
                answer = new String(r.body(), StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                notes.add("echo " + uri.getHost() + ": unreachable, " + e.getClass().getSimpleName());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            InetAddress a;
            try {
                a = AddressClass.parseLiteral(answer);
            } catch (IllegalArgumentException e) {
                notes.add("echo " + uri.getHost() + ": refused, the answer is not an IP address");
                continue;
            }
            String why = classifier.whyNotPublic(a);
            if (why != null) {
                notes.add("echo " + uri.getHost() + ": refused, " + why);
                continue;
            }
            notes.add("echo " + uri.getHost() + ": " + a.getHostAddress());
            votes.merge(a, 1, Integer::sum);
        }
        Optional<Map.Entry<InetAddress, Integer>> best = votes.entrySet().stream().max(Map.Entry.comparingByValue());
        if (best.isPresent() && best.get().getValue() >= quorum
                && votes.values().stream().filter(v -> v.equals(best.get().getValue())).count() == 1) {
            return Optional.of(best.get().getKey());
        }
        if (!votes.isEmpty()) {
            notes.add("echo: no address reached the quorum of " + quorum + " (votes " + votes.size() + " distinct)");
        }
        return Optional.empty();
    }

    /** Every address of every interface that is up, IPv4 first. */
    static List<InetAddress> localAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isUp()) {
                    out.addAll(Collections.list(ni.getInetAddresses()));
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        out.sort((a, b) -> Boolean.compare(!(a instanceof Inet4Address), !(b instanceof Inet4Address)));
        return out;
    }

    /** Configures a {@link PublicAddressDetector}. */
    public static final class Builder {
        private String configured;
        private List<URI> echoEndpoints = List.of();
        private int quorum;
        private boolean useInterfaces = true;
        private final List<AddressClass.Range> allowed = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(3);
        private Supplier<List<InetAddress>> interfaces = PublicAddressDetector::localAddresses;

        private Builder() {
        }

        /** An address the operator vouches for; it still must not be a private one unless allowed. */
        public Builder configured(String address) { this.configured = address; return this; }
        /** HTTP endpoints that answer with the caller's address as plain text. */
        public Builder echoEndpoints(List<URI> v) { this.echoEndpoints = List.copyOf(v); return this; }
        /** How many echo endpoints must agree; default 2 when there are at least 2, else 1. */
        public Builder quorum(int v) { this.quorum = v; return this; }
        /** Whether to fall back to local interface addresses; default true. */
        public Builder useInterfaces(boolean v) { this.useInterfaces = v; return this; }
        /** Treats a range as public although it is not (labs, tests on 192.0.2.0/24). */
        public Builder allow(String cidr) { this.allowed.add(AddressClass.Range.parse("allowed by the operator", cidr)); return this; }
        /** Timeout per echo request; default 3 s. */
        public Builder timeout(Duration v) { this.timeout = v; return this; }
        /** Replaces the interface enumeration (tests). */
        public Builder interfaces(Supplier<List<InetAddress>> v) { this.interfaces = v; return this; }

        public PublicAddressDetector build() {
            return new PublicAddressDetector(this);
        }
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }
}
