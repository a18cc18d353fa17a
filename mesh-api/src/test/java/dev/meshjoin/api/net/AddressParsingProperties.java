package dev.meshjoin.api.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class AddressParsingProperties {

    @Property
    void everyAddressRoundTripsThroughText(@ForAll int bits) {
        Ipv4Address a = new Ipv4Address(bits);
        assertThat(Ipv4Address.parse(a.toString())).isEqualTo(a);
        assertThat(Ipv4Address.of(a.toBytes())).isEqualTo(a);
        assertThat(Ipv4Address.of(a.toInetAddress())).isEqualTo(a);
    }

    @Property
    void arbitraryTextEitherParsesToItselfOrIsRefusedWithOurException(@ForAll("addressLike") String text) {
        try {
            assertThat(Ipv4Address.parse(text).toString()).isEqualTo(text);
        } catch (ConfigurationException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> addressLike() {
        return Arbitraries.strings().withChars("0123456789./ -x").ofMaxLength(20);
    }

    @Property
    void aCidrContainsExactlyTheAddressesUnderItsMask(@ForAll int bits, @ForAll @IntRange(min = 0, max = 32) int prefix,
                                                      @ForAll int probe) {
        Ipv4Cidr cidr = new Ipv4Cidr(new Ipv4Address(bits & Ipv4Cidr.mask(prefix)), prefix);
        boolean expected = (probe & Ipv4Cidr.mask(prefix)) == (bits & Ipv4Cidr.mask(prefix));
        assertThat(cidr.contains(new Ipv4Address(probe))).isEqualTo(expected);
        assertThat(Ipv4Cidr.parse(cidr.toString())).isEqualTo(cidr);
        assertThat(cidr.contains(cidr.broadcast())).isTrue();
    }

    @Property
    void endpointsRoundTrip(@ForAll @IntRange(min = 1, max = 65535) int port, @ForAll int bits) {
        Endpoint e = new Endpoint(new Ipv4Address(bits).toString(), port);
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
        Endpoint v6 = new Endpoint("2001:db8::1", port);
        assertThat(Endpoint.parse(v6.toString())).isEqualTo(v6);
    }

    @Property
    void malformedEndpointsAreRefusedWithOurException(@ForAll("endpointLike") String text) {
        try {
            Endpoint e = Endpoint.parse(text);
            assertThat(e.port()).isBetween(1, 65535);
        } catch (ConfigurationException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> endpointLike() {
        return Arbitraries.strings().withChars("ab0129:[]./@ ").ofMaxLength(24);
    }

    @net.jqwik.api.Example
    void specificRefusals() {
        assertThatThrownBy(() -> Ipv4Address.parse("10.0.0.256")).hasMessageContaining("above 255");
        assertThatThrownBy(() -> Ipv4Address.parse("010.0.0.1")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> Ipv4Cidr.parse("10.42.3.7/16")).hasMessageContaining("10.42.0.0/16");
        assertThatThrownBy(() -> Ipv4Cidr.parse("10.0.0.0/33")).hasMessageContaining("0..32");
        assertThatThrownBy(() -> Endpoint.parse("host:0")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> Endpoint.parse("a/b:80")).hasMessageContaining("not a host");
        assertThatThrownBy(() -> Endpoint.parse("2001:db8::1:80")).hasMessageContaining("host:port");
    }
}
