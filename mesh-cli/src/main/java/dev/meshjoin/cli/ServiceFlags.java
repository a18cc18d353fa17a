package dev.meshjoin.cli;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.overlay.FirewallRule;
import dev.meshjoin.api.registry.ServiceInstance;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.router.HttpRouter;
import dev.meshjoin.core.router.RouterSettings;
import dev.meshjoin.nebula.overlay.NebulaConfigRenderer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code meshctl up}'s registry flags: {@code --service NAME=PORT[,weight=N]} (repeatable) announces a
 * service this node offers on its overlay address and keeps its port open to members in Nebula's
 * firewall; {@code --router HOST:PORT} (default {@code 127.0.0.1:8480}, {@code off} for none) runs
 * the local forwarder to {@code /svc/NAME/...}.
 */
final class ServiceFlags {
    static final String SERVICE = "service";
    static final String ROUTER = "router";
    static final String POLL = "poll-interval";

    private ServiceFlags() {
    }

    /** What the flags ask for, checked. */
    record Checked(List<ServiceInstance> services, Endpoint router, java.time.Duration pollInterval,
                   java.util.concurrent.atomic.AtomicReference<HttpRouter> running,
                   java.util.concurrent.atomic.AtomicBoolean closed) {
        Checked(List<ServiceInstance> services, Endpoint router, java.time.Duration pollInterval) {
            this(services, router, pollInterval, new java.util.concurrent.atomic.AtomicReference<>(),
                    new java.util.concurrent.atomic.AtomicBoolean());
        }

        /**
         * Closes the router, if one runs, and any that starts later: the node closes it with itself
         * (its server thread would keep the JVM up).
         */
        void closeRouter() {
            closed.set(true);
            HttpRouter r = running.getAndSet(null);
            if (r != null) {
                r.close();
            }
        }

        void started(HttpRouter r) {
            running.set(r);
            if (closed.get()) {
                closeRouter(); // the node closed while the router was starting
            }
        }
    }

    static Flags declare(Flags flags) {
        return flags.repeatable(SERVICE, "announce a service this node offers on its overlay address, NAME=PORT[,weight=N],"
                        + " such as echo=8080,weight=2; members may reach the port over the overlay")
                .string(ROUTER, "where the local router listens: http://HOST:PORT/svc/NAME/PATH goes to a live instance of"
                        + " NAME; off for none", RouterSettings.DEFAULT_BIND.toString())
                .string(POLL, "how often this node polls its lighthouses: its heartbeat, which carries its services;"
                        + " a silent node's services are dropped after two and a half of it", "15s");
    }

    /** Checks the flags before anything is opened; every malformed one is a usage error saying what to write. */
    static Checked check(Flags.Parsed p) {
        List<ServiceInstance> services = new ArrayList<>();
        for (String spec : p.all(SERVICE)) {
            ServiceInstance s = parse(spec);
            if (services.stream().anyMatch(o -> o.name().equals(s.name()) && o.port() == s.port())) {
                throw new CliException("up: --service " + s.name() + "=" + s.port() + " is given twice", ExitStatus.USAGE);
            }
            services.add(s);
        }
        String r = p.get(ROUTER).strip();
        Endpoint router = null;
        if (!r.equals("off")) {
            try {
                router = Endpoint.parse(r);
            } catch (ConfigurationException | IllegalArgumentException e) {
                throw new CliException("up: --router takes HOST:PORT, such as 127.0.0.1:8480, or off; got '" + r + "'",
                        ExitStatus.USAGE);
            }
        }
        java.time.Duration poll;
        try {
            poll = dev.meshjoin.cli.nebula.GoDuration.parse(POLL, p.get(POLL));
        } catch (ConfigurationException e) {
            throw new CliException("up: " + e.getMessage(), ExitStatus.USAGE);
        }
        if (poll.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            throw new CliException("up: --poll-interval must be at least 1s", ExitStatus.USAGE);
        }
        return new Checked(services, router, poll);
    }

    /**
     * Parses {@code NAME=PORT[,weight=N]}.
     *
     * @throws CliException a usage error naming what is wrong
     */
    static ServiceInstance parse(String spec) {
        String usage = " (write NAME=PORT[,weight=N], such as echo=8080,weight=2)";
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new CliException("up: --service '" + shown(spec) + "' has no NAME=PORT" + usage, ExitStatus.USAGE);
        }
        String[] parts = spec.substring(eq + 1).split(",", -1);
        try {
            int port = number(parts[0], "port", spec, usage);
            int weight = 1;
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].startsWith("weight=") || i > 1) {
                    throw new CliException("up: --service '" + shown(spec) + "': unknown option '" + shown(parts[i]) + "'"
                            + usage, ExitStatus.USAGE);
                }
                weight = number(parts[i].substring("weight=".length()), "weight", spec, usage);
            }
            return new ServiceInstance(spec.substring(0, eq), port, "http", weight, List.of());
        } catch (IllegalArgumentException e) {
            throw new CliException("up: --service: " + e.getMessage() + usage, ExitStatus.USAGE);
        }
    }

    private static int number(String s, String what, String spec, String usage) {
        if (s.isEmpty() || s.length() > 6 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new CliException("up: --service '" + shown(spec) + "': the " + what + " '" + shown(s) + "' is not a number"
                    + usage, ExitStatus.USAGE);
        }
        return Integer.parseInt(s);
    }

    private static String shown(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().limit(64).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return b.toString();
    }

    /**
     * The node's firewall with each service's port open to members (tcp from any host of the network),
     * on top of the default rules: it stays open when the defaults are narrowed.
     */
    static List<FirewallRule> firewall(List<ServiceInstance> services) {
        List<FirewallRule> rules = new ArrayList<>(NebulaConfigRenderer.DEFAULT_FIREWALL);
        for (ServiceInstance s : services) {
            FirewallRule r = new FirewallRule(FirewallRule.Direction.INBOUND, Integer.toString(s.port()), "tcp", "any", null);
            if (!rules.contains(r)) {
                rules.add(r);
            }
        }
        return rules;
    }

    /** Sets the firewall on the node's builder when there are services. */
    static MeshNode.Builder apply(Checked c, MeshNode.Builder node) {
        node.pollInterval(c.pollInterval()).closing(c::closeRouter);
        return c.services().isEmpty() ? node : node.firewall(firewall(c.services()));
    }

    /**
     * Announces the services (the first poll carries them) and starts the router on a thread of its
     * own: its HTTP server and client load while the node joins, not before (a cold start's
     * classes), and its requests wait for the registry anyway. A router that cannot listen is a
     * warning: the node itself is fine without it.
     *
     * @return the thread starting the router, or null when there is none to start
     */
    static Thread start(Checked c, MeshNode node, PrintStream out, PrintStream err) {
        c.services().forEach(node.registry()::announce);
        if (c.router() == null) {
            return null;
        }
        Thread t = new Thread(() -> {
            try {
                HttpRouter r = HttpRouter.start(node.registry(), RouterSettings.defaults().withBind(c.router()));
                c.started(r);
                UpProgress.serving(out, "router", "http://" + r.endpoint() + "/svc/NAME/");
            } catch (RuntimeException e) {
                Meshctl.warn(err, "up", e.getMessage());
                err.flush();
            }
        }, "meshctl-router-start");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
