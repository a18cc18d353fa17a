package dev.meshjoin.core.router;

import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.NoLiveInstanceException;
import dev.meshjoin.api.registry.RegistryException;
import dev.meshjoin.api.registry.ServiceClient;
import dev.meshjoin.api.registry.ServiceRegistry;
import java.io.IOException;
import java.net.URI;
import dev.meshjoin.core.internal.BackgroundHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Sends requests to live instances of a service: looks the name up (answers kept for
 * {@code cacheFor}; a failed lookup falls back to the last answer), chooses by power of two choices
 * ({@link InstanceChooser}) and retries another instance when one cannot be reached or, for an
 * idempotent method, answers 502 or 503. Non-idempotent requests are sent once.
 */
public final class RoutingClient implements ServiceClient {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    private final ServiceRegistry registry;
    private final RouterSettings settings;
    private final Clock clock;
    private final BackgroundHttpClient http;
    private final InstanceChooser chooser;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(List<LiveInstance> instances, Instant at) {
    }

    /** A response from an instance, with its request still counted in flight until {@code inFlight} is closed. */
    public record Routed<T>(HttpResponse<T> response, LiveInstance instance, InstanceChooser.InFlight inFlight) {
    }

    /** A request that reached an instance and failed there (timeout, dropped connection) and is not sent again. */
    public static final class Failed extends RegistryException {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        Failed(String message, boolean timedOut, Throwable cause) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    public RoutingClient(ServiceRegistry registry, RouterSettings settings, Clock clock) {
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
        this.chooser = new InstanceChooser(clock, settings.ejectFor());
        this.http = BackgroundHttpClient.building(() -> dev.meshjoin.core.internal.PlainHttp.newBuilder()
                .connectTimeout(settings.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build(), "router");
    }

    /** Whether {@code method} may be sent twice (RFC 9110 §9.2.2). */
    public static boolean idempotent(String method) {
        return IDEMPOTENT.contains(method);
    }

    public InstanceChooser chooser() {
        return chooser;
    }

    @Override
    public List<LiveInstance> lookup(String name) {
        List<LiveInstance> found = registry.lookup(name);
        cache.put(name, new Cached(found, clock.instant()));
        return found;
    }

    /** The instances of {@code name}, from a recent lookup or a new one; the last answer when the lookup fails. */
    List<LiveInstance> instances(String name) {
        Cached c = cache.get(name);
        if (c != null && !c.at().plus(settings.cacheFor()).isBefore(clock.instant())) {
            return c.instances();
        }
        try {
            return lookup(name);
        } catch (RegistryException e) {
            if (c != null) {
                return c.instances();
            }
            throw e;
        }
    }

    @Override
    public <T> HttpResponse<T> send(String service, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        Routed<T> r = route(service, idempotent(request.method()), i -> retarget(request, i), handler);
        r.inFlight().close();
        return r.response();
    }

    private static HttpRequest retarget(HttpRequest request, LiveInstance i) {
        URI u = request.uri();
        String target = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + i.target() + target))
                .method(request.method(), request.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody()))
                .expectContinue(request.expectContinue());
        request.timeout().ifPresent(b::timeout);
        request.headers().map().forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
        return b.build();
    }

    /**
     * Sends to a chosen instance, and to others while {@code retryable} allows.
     *
     * @throws NoLiveInstanceException when nobody offers {@code service} or every instance tried failed to connect
     * @throws Failed when the request reached an instance and failed there, and is not sent again
     */
    public <T> Routed<T> route(String service, boolean retryable, Function<LiveInstance, HttpRequest> build,
                               HttpResponse.BodyHandler<T> handler) {
        List<LiveInstance> instances = instances(service);
        if (instances.isEmpty()) {
            throw new NoLiveInstanceException(service, "no live instance of service '" + service + "': no node announces"
                    + " it now (meshctl services lists what is offered)");
        }
        List<String> tried = new ArrayList<>();
        IOException lastFailure = null;
        while (tried.size() < settings.attempts()) {
            LiveInstance i = chooser.choose(instances, tried);
            if (i == null) {
                break;
            }
            tried.add(i.target());
            InstanceChooser.InFlight f = chooser.start(i.target());
            HttpResponse<T> resp;
            try {
                resp = http.get().send(build.apply(i), handler);
            } catch (HttpTimeoutException e) {
                f.close();
                if (e instanceof java.net.http.HttpConnectTimeoutException && retryable) {
                    chooser.failed(i.target());
                    lastFailure = e;
                    continue;
                }
                throw new Failed("instance " + i.target() + " of " + service + " (node " + i.node() + ") did not answer in"
                        + " time: " + e.getMessage(), true, e);
            } catch (IOException e) {
                f.close();
                chooser.failed(i.target());
                if (!retryable) {
                    throw new Failed("instance " + i.target() + " of " + service + " (node " + i.node() + ") failed: " + e
                            + "; not sent again because the request is not idempotent", false, e);
                }
                lastFailure = e;
                continue;
            } catch (InterruptedException e) {
                f.close();
                Thread.currentThread().interrupt();
                throw new Failed("interrupted while sending to " + i.target(), false, e);
            }
            chooser.succeeded(i.target());
            int status = resp.statusCode();
            boolean another = tried.size() < settings.attempts() && chooser.choose(instances, tried) != null;
            if (retryable && (status == 502 || status == 503) && another) {
                f.close();
                closeQuietly(resp.body());
                continue;
            }
            return new Routed<>(resp, i, f);
        }
        throw new NoLiveInstanceException(service, "no instance of service '" + service + "' could be reached ("
                + String.join(", ", tried) + " tried" + (lastFailure == null ? "" : "; last: " + lastFailure) + ")",
                lastFailure);
    }

    private static void closeQuietly(Object body) {
        if (body instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // dropping a response we do not pass on
            }
        }
    }
}
