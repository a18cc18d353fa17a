package dev.meshjoin.api.ip;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Makes the allocator a lighthouse hands out overlay addresses with, once the node knows its
 * network's CIDR. meshjoin's default keeps leases in the bootstrap store; plug in another to take
 * addresses from an existing IP address manager.
 *
 * <pre>{@code
 * MeshNode.builder().ipAllocator((cidr, reserved) -> new MyIpamAllocator(cidr, reserved))
 * }</pre>
 */
@FunctionalInterface
public interface IpAllocatorFactory {

    /**
     * @param network the network's overlay CIDR, as the network record says
     * @param reserved addresses it must never hand out (the lighthouses'), read at every allocation
     *     so a new lighthouse is reserved at once
     */
    IpAllocator create(Ipv4Cidr network, Supplier<Set<Ipv4Address>> reserved);
}
