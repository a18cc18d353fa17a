package dev.meshjoin.core.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The router's path parsing and header handling, for any input. */
class RouterParsingProperties {

    @Provide
    Arbitrary<String> names() {
        Arbitrary<Character> edge = Arbitraries.chars().with("abcdefghijklmnopqrstuvwxyz0123456789".toCharArray());
        Arbitrary<String> inner = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMaxLength(20);
        return Combinators.combine(edge, inner, edge).as((a, m, b) -> a + m + b);
    }

    @Provide
    Arbitrary<String> rests() {
        return Arbitraries.strings().withChars("abcXYZ019/%-._~!$&'()*+,;=:@").ofMaxLength(40).map(s -> "/" + s);
    }

    @Provide
    Arbitrary<String> queries() {
        return Arbitraries.strings().withChars("abc019=&%+/?-._~").ofMaxLength(30).injectNull(0.3);
    }

    @Property
    void aValidPathKeepsItsRestAndQueryByteForByte(@ForAll("names") String name, @ForAll("rests") String rest,
                                                  @ForAll("queries") String query) {
        ServicePath p = ServicePath.parse("/svc/" + name + rest, query);
        assertThat(p.service()).isEqualTo(name);
        assertThat(p.target()).isEqualTo(query == null ? rest : rest + "?" + query);
        assertThat(ServicePath.parse("/svc/" + name, query).target()).startsWith("/");
    }

    @Property
    void anyPathIsRoutedOrRefusedWithOurException(@ForAll String path, @ForAll String query) {
        try {
            ServicePath p = ServicePath.parse(path, query);
            assertThat(path).startsWith("/svc/" + p.service());
            assertThat(p.target()).startsWith("/").doesNotContain(" ");
        } catch (ServicePath.Malformed e) {
            assertThat(e.notRouted()).isEqualTo(path == null || !path.startsWith("/svc/"));
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property
    void aHopCountIsANumberFrom0To99(@ForAll @IntRange(min = 0, max = 99) int hops) {
        assertThat(ForwardHeaders.hops(List.of(Integer.toString(hops)))).isEqualTo(hops);
        assertThat(ForwardHeaders.hops(List.of(" " + hops + " "))).isEqualTo(hops);
    }

    @Property
    void anyOtherHopValueIsRefused(@ForAll String value) {
        boolean valid = value.strip().matches("[0-9]{1,2}");
        if (valid) {
            assertThat(ForwardHeaders.hops(List.of(value))).isBetween(0, 99);
        } else {
            assertThatThrownBy(() -> ForwardHeaders.hops(List.of(value))).isInstanceOf(ForwardHeaders.Malformed.class)
                    .hasMessageContaining("Mesh-Hops");
        }
    }

    @Property
    void forwardedHeadersNeverCarryHopByHopOnesAndAlwaysTheChainAndCount(@ForAll("headerMaps") Map<String, List<String>> in,
                                                                        @ForAll @IntRange(min = 1, max = 99) int hops) {
        Map<String, List<String>> out = ForwardHeaders.request(in, "10.42.0.5", hops);
        for (String k : out.keySet()) {
            assertThat(k.toLowerCase()).isNotIn("connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host",
                    "content-length", "proxy-connection", "trailer");
        }
        assertThat(out.get("Mesh-Hops")).containsExactly(Integer.toString(hops));
        assertThat(out.get("X-Forwarded-For")).singleElement().satisfies(v -> assertThat(v).endsWith("10.42.0.5"));
        in.forEach((k, vs) -> {
            boolean hopByHop = List.of("connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host",
                    "content-length", "x-forwarded-for", "mesh-hops").contains(k.toLowerCase());
            if (!hopByHop && !named(in, k)) {
                assertThat(out.get(k)).containsAll(vs);
            }
        });
    }

    private static boolean named(Map<String, List<String>> in, String header) {
        return in.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("connection"))
                .flatMap(e -> e.getValue().stream()).flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .anyMatch(t -> t.strip().equalsIgnoreCase(header));
    }

    @Provide
    Arbitrary<Map<String, List<String>>> headerMaps() {
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of("Connection", "Keep-Alive", "Host", "Content-Length",
                "X-Forwarded-For", "Mesh-Hops", "Accept", "X-Trace", "Transfer-Encoding", "Upgrade", "TE"),
                Arbitraries.strings().withChars("abcXYZ-").ofMinLength(1).ofMaxLength(8));
        Arbitrary<List<String>> values = Arbitraries.oneOf(Arbitraries.of("close", "X-Trace", "keep-alive, Accept", "1"),
                Arbitraries.strings().alpha().ofMaxLength(10)).list().ofMinSize(1).ofMaxSize(2);
        return Arbitraries.maps(keys, values).ofMaxSize(6).map(m -> {
            Map<String, List<String>> t = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            m.forEach((k, v) -> t.merge(k, v, (x, y) -> {
                List<String> all = new java.util.ArrayList<>(x);
                all.addAll(y);
                return all;
            }));
            return t;
        });
    }

    @Example
    void headersNamedByConnectionAreDroppedAndTheChainGrows() {
        Map<String, List<String>> in = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        in.put("Connection", List.of("X-Secret-Hop"));
        in.put("X-Secret-Hop", List.of("1"));
        in.put("X-Forwarded-For", List.of("192.0.2.1", "192.0.2.2"));
        in.put("Accept", List.of("text/plain"));
        Map<String, List<String>> out = ForwardHeaders.request(in, "127.0.0.1", 2);
        assertThat(out).doesNotContainKey("X-Secret-Hop").doesNotContainKey("Connection");
        assertThat(out.get("X-Forwarded-For")).containsExactly("192.0.2.1, 192.0.2.2, 127.0.0.1");
        assertThat(out.get("Accept")).containsExactly("text/plain");
        assertThatThrownBy(() -> ForwardHeaders.hops(List.of("1", "2"))).hasMessageContaining("at most once");
        assertThatThrownBy(() -> ForwardHeaders.hops(List.of("100"))).hasMessageContaining("0 to 99");
        assertThatThrownBy(() -> ForwardHeaders.hops(List.of("-1"))).hasMessageContaining("0 to 99");
    }
}
