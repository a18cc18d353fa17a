package dev.meshjoin.api.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Example;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class ServiceInstanceProperties {

    @Provide
    Arbitrary<String> labels() {
        Arbitrary<String> inner = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMaxLength(61);
        Arbitrary<Character> edge = Arbitraries.chars().with("abcdefghijklmnopqrstuvwxyz0123456789".toCharArray());
        return net.jqwik.api.Combinators.combine(edge, inner, edge).as((a, m, b) -> a + m + b);
    }

    @Property
    void everyDnsLabelIsAName(@ForAll("labels") String name, @ForAll @IntRange(min = 1, max = 65535) int port) {
        ServiceInstance s = ServiceInstance.of(name, port);
        assertThat(s.name()).isEqualTo(name);
        assertThat(s.protocol()).isEqualTo("http");
        assertThat(s.weight()).isEqualTo(1);
    }

    @Property
    void anyStringIsEitherAValidNameOrRefusedWithAHint(@ForAll String name) {
        boolean valid = name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
        assertThat(ServiceInstance.validName(name)).isEqualTo(valid);
        if (!valid) {
            assertThatThrownBy(() -> ServiceInstance.of(name, 80)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be a DNS label");
        }
    }

    @Property
    void portsOutsideTheRangeAreRefused(@ForAll int port) {
        if (port >= 1 && port <= 65535) {
            assertThat(ServiceInstance.of("echo", port).port()).isEqualTo(port);
        } else {
            assertThatThrownBy(() -> ServiceInstance.of("echo", port)).hasMessageContaining("is not between 1 and 65535");
        }
    }

    @Example
    void malformedPartsAreNamed() {
        assertThatThrownBy(() -> new ServiceInstance("echo", 80, "HTTP", 1, List.of())).hasMessageContaining("protocol");
        assertThatThrownBy(() -> ServiceInstance.of("echo", 80).withWeight(0)).hasMessageContaining("weight 0");
        assertThatThrownBy(() -> ServiceInstance.of("echo", 80).withWeight(1001)).hasMessageContaining("weight 1001");
        assertThatThrownBy(() -> new ServiceInstance("echo", 80, "http", 1, List.of("a,b"))).hasMessageContaining("tag");
        assertThatThrownBy(() -> new ServiceInstance("echo", 80, "http", 1, List.of("a b"))).hasMessageContaining("tag");
        assertThatThrownBy(() -> ServiceInstance.of("Echo\u0000", 80)).hasMessageContaining("'Echo?'");
        assertThatThrownBy(() -> ServiceInstance.of("x".repeat(64), 80)).hasMessageContaining("must be a DNS label");
    }

    @Example
    void aLiveInstanceWithANonsensicalLoadCountsAsIdle() {
        ServiceInstance s = ServiceInstance.of("echo", 8080);
        assertThat(new LiveInstance(s, "n", "10.42.0.2", Double.NaN, Instant.EPOCH).load()).isZero();
        assertThat(new LiveInstance(s, "n", "10.42.0.2", -3, Instant.EPOCH).load()).isZero();
        assertThat(new LiveInstance(s, "n", "10.42.0.2", Double.POSITIVE_INFINITY, Instant.EPOCH).load()).isZero();
        assertThat(new LiveInstance(s, "n", "10.42.0.2", 2.5, Instant.EPOCH).target()).isEqualTo("10.42.0.2:8080");
    }

    @Example
    void theSystemLoadIsNeverNegative() {
        assertThat(LoadReporter.systemLoad().load()).isGreaterThanOrEqualTo(0);
    }
}
