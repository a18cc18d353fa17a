package dev.meshjoin.cli;

import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.ServiceRegistry;
import dev.meshjoin.api.registry.ServiceRegistryProvider;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.ServicesRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.store.BootstrapStores;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * {@code meshctl services --store URI --network NAME [--json]}: the service instances the
 * lighthouses listed live when the set last changed, from their records in the store. Routing never
 * reads these (it asks the lighthouses over the overlay); this is the operator's view. On a store
 * that brings its own registry (etcd), the instances that registry lists live now.
 */
public final class ServicesCommand implements Command {
    private static final Comparator<InstanceView> ORDER = Comparator.comparing(InstanceView::service)
            .thenComparing(InstanceView::node).thenComparingInt(InstanceView::port);

    @Override
    public String name() {
        return "services";
    }

    @Override
    public String summary() {
        return "list the service instances a network's lighthouses see live";
    }

    /**
     * One instance as {@code services --json} shows it.
     *
     * @param lighthouse the lighthouse whose record lists it (the newest one, when several do)
     * @param listedAt when that record was written
     */
    public record InstanceView(String service, String node, String overlayAddress, int port, String protocol, int weight,
                               List<String> tags, String lighthouse, Instant listedAt) {
    }

    @Override
    public int run(Invocation inv) {
        Flags flags = new Flags("services")
                .string("store", "the store URI, such as file:/var/lib/meshjoin/store")
                .string("network", "the network name", "mesh")
                .bool("json", "print a JSON array, one object per instance");
        Flags.Parsed p = flags.parse(inv.args());
        StoreKeys keys = StoreKeys.of(p.get("network"));
        try (BootstrapStore store = BootstrapStores.openExisting(p.requireAll("store").get(0))) {
            Optional<ServiceRegistry> own = storesRegistry(store, p.get("network"));
            List<InstanceView> all;
            try {
                all = own.isPresent() ? list(own.get()) : list(store, keys);
            } finally {
                own.ifPresent(ServicesCommand::closeQuietly);
            }
            if (p.bool("json")) {
                CliJson.println(inv.out(), all);
            } else {
                print(inv.out(), all);
            }
            return ExitStatus.OK;
        }
    }

    /** The registry the store brings along (etcd's), as the nodes on it use; empty for the lighthouses' one. */
    private static Optional<ServiceRegistry> storesRegistry(BootstrapStore store, String network) {
        ServiceRegistryProvider.Context ctx = new ServiceRegistryProvider.Context(network, "meshctl-services",
                Optional::empty, Duration.ofSeconds(30));
        for (ServiceRegistryProvider provider : ServiceLoader.load(ServiceRegistryProvider.class,
                ServicesCommand.class.getClassLoader())) {
            Optional<ServiceRegistry> r = provider.open(store, ctx);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    private static void closeQuietly(ServiceRegistry r) {
        if (r instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // a listing's registry announces nothing; there is nothing to clean up
            }
        }
    }

    /** The instances a store's own registry lists live now; "lighthouse" names that registry. */
    static List<InstanceView> list(ServiceRegistry registry) {
        List<InstanceView> out = new ArrayList<>();
        for (LiveInstance l : registry.lookupAll()) {
            out.add(new InstanceView(l.instance().name(), l.node(), l.overlayAddress(), l.instance().port(),
                    l.instance().protocol(), l.instance().weight(), l.instance().tags(), "(store)", l.lastSeen()));
        }
        out.sort(ORDER);
        return out;
    }

    static List<InstanceView> list(BootstrapStore store, StoreKeys keys) {
        Map<String, InstanceView> newest = new LinkedHashMap<>();
        for (KeyVersion kv : store.list(keys.serviceRecords())) {
            store.get(kv.key()).ifPresent(e -> {
                ServicesRecord r = Json.read(e.value(), ServicesRecord.class, e.key());
                for (ServicesRecord.Listed l : r.instances()) {
                    InstanceView v = new InstanceView(l.instance().name(), l.node(), l.overlayAddress(), l.instance().port(),
                            l.instance().protocol(), l.instance().weight(), l.instance().tags(), r.lighthouse(), r.writtenAt());
                    newest.merge(l.node() + "|" + v.service() + "|" + v.port(), v,
                            (x, y) -> y.listedAt().isAfter(x.listedAt()) ? y : x);
                }
            });
        }
        List<InstanceView> out = new ArrayList<>(newest.values());
        out.sort(ORDER);
        return out;
    }

    private static void print(PrintStream out, List<InstanceView> all) {
        String format = "%-20s %-24s %-16s %-6s %-8s %-6s %-16s %-20s%n";
        out.printf(format, "SERVICE", "NODE", "OVERLAY", "PORT", "PROTO", "WEIGHT", "LIGHTHOUSE", "LISTED AT");
        for (InstanceView v : all) {
            out.printf(format, v.service(), v.node(), v.overlayAddress(), v.port(), v.protocol(), v.weight(), v.lighthouse(),
                    java.time.format.DateTimeFormatter.ISO_INSTANT.format(v.listedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        }
        if (all.isEmpty()) {
            out.println("(no service instances listed)");
        }
    }
}
