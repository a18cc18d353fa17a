package dev.meshjoin.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassTest {
    private final AddressClass classes = new AddressClass();

    @ParameterizedTest(name = "{0} is not public: {1}")
    @CsvSource({
        "0.1.2.3, this network",
        "10.1.2.3, private",
        "100.64.0.1, carrier-grade NAT",
        "100.127.255.254, carrier-grade NAT",
        "127.0.0.1, loopback",
        "169.254.10.20, link-local",
        "172.16.0.1, private",
        "172.17.0.2, container bridges",
        "172.31.255.254, private",
        "192.0.0.8, IETF",
        "192.0.2.10, documentation",
        "192.168.1.1, private",
        "198.18.0.1, benchmarking",
        "198.19.255.1, benchmarking",
        "198.51.100.7, documentation",
        "203.0.113.99, documentation",
        "224.0.0.1, multicast",
        "240.0.0.1, reserved",
        "255.255.255.255, reserved",
        "::1, loopback",
        "::, unspecified",
        "fe80::1, link-local",
        "fd12:3456::1, unique-local",
        "2001:db8::5, documentation",
        "ff02::1, multicast"
    })
    void nonPublicRangesAreNamed(String address, String reason) {
        assertThat(classes.whyNotPublic(AddressClass.parseLiteral(address))).isNotNull().contains(reason);
    }

    @ParameterizedTest
    @CsvSource({"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "193.0.2.1",
        "2a00:1450:4001::200e"})
    void publicAddressesArePublic(String address) {
        assertThat(classes.whyNotPublic(AddressClass.parseLiteral(address))).isNull();
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.10", "192.0.2.254"})
    void anOperatorMayAllowARange(String address) {
        AddressClass lab = new AddressClass(List.of(AddressClass.Range.parse("lab", "192.0.2.0/24")));
        assertThat(lab.isPublic(AddressClass.parseLiteral(address))).isTrue();
        assertThat(lab.isPublic(AddressClass.parseLiteral("192.0.3.1"))).isTrue();
        assertThat(lab.isPublic(AddressClass.parseLiteral("10.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"example.com", "1.2.3", "1.2.3.4.5", "300.1.1.1", "::g", "'  '", "1.2.3.4/24", "localhost"})
    void namesAndGarbageAreNeverResolvedButRefused(String text) {
        assertThatThrownBy(() -> AddressClass.parseLiteral(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IP address");
    }

    @Property
    void arbitraryTextIsParsedOrRefusedNeverResolved(@ForAll @StringLength(max = 50) String text) {
        try {
            assertThat(AddressClass.parseLiteral(text)).isNotNull();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains("not an IP address");
        }
    }
}
