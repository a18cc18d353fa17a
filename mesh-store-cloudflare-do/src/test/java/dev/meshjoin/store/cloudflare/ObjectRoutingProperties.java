package dev.meshjoin.store.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A listing is answered by one Durable Object, so whenever a prefix is routed to an object, every
 * key with that prefix must live in that object — or a list would silently miss keys.
 */
class ObjectRoutingProperties {
    private final ObjectRouting routing = new ObjectRouting("p-");

    @Provide
    Arbitrary<String> keys() {
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of("prod", "test", "a", "", "ünï", "x.y", "-"),
                Arbitraries.strings().withChars("abz/-.ü_").ofMaxLength(6));
        return Arbitraries.oneOf(
                segment.list().ofMinSize(1).ofMaxSize(4).map(l -> "mesh/" + String.join("/", l)),
                segment.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l)),
                Arbitraries.strings().withChars("mesh/prod").ofMaxLength(12))
                .filter(k -> !k.isEmpty());
    }

    @Property(tries = 3000)
    void everyKeyUnderARoutedPrefixLivesInThatObject(@ForAll("keys") String key, @ForAll("cut") int cut) {
        String prefix = key.substring(0, Math.min(cut, key.length()));
        Optional<String> object = routing.objectForPrefix(prefix);
        if (object.isPresent()) {
            assertThat(routing.objectFor(key)).as("key %s under prefix %s", key, prefix).isEqualTo(object.get());
        }
    }

    @Provide
    Arbitrary<Integer> cut() {
        return Arbitraries.integers().between(0, 14);
    }

    @Example
    void networksGetTheirOwnObjectsAndEverythingElseTheDefault() {
        assertThat(routing.objectFor("mesh/prod/network")).isEqualTo("p-prod");
        assertThat(routing.objectFor("mesh/test/ip/10.42.0.1")).isEqualTo("p-test");
        assertThat(routing.objectFor("contract/k")).isEqualTo("p-default");
        assertThat(routing.objectFor("mesh/prod")).isEqualTo("p-default");
        assertThat(routing.objectForPrefix("mesh/prod/members/")).contains("p-prod");
        assertThat(routing.objectForPrefix("")).isEmpty();
        assertThat(routing.objectForPrefix("mesh/")).isEmpty();
        assertThat(routing.objectForPrefix("mesh/pro")).isEmpty();
        assertThat(routing.objectForPrefix("tools/")).contains("p-default");
    }
}
