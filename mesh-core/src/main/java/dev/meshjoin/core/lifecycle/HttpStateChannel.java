package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.state.Beat;
import dev.meshjoin.core.state.StateDocument;
import java.io.IOException;
import java.net.URI;
import dev.meshjoin.core.internal.BackgroundHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

/**
 * The member side of {@link HttpStateServers}, with {@code java.net.http}. Requests go to the
 * lighthouse's overlay address, so the kernel sends them through the overlay from this node's
 * own overlay address: {@code self} is not sent.
 */
public final class HttpStateChannel implements StateChannel {
    private final BackgroundHttpClient client;
    private final Duration timeout;

    public HttpStateChannel() {
        this(Duration.ofSeconds(5));
    }

    /** @param timeout for connecting and for each answer */
    public HttpStateChannel(Duration timeout) {
        this.timeout = timeout;
        this.client = BackgroundHttpClient.building(() -> dev.meshjoin.core.internal.PlainHttp.newBuilder()
                .connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build(), "state");
    }

    @Override
    public StateHandler.Answer poll(Endpoint service, Ipv4Address self, String etag, Beat beat) {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri(service, HttpStateServers.STATE_PATH)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(beat)));
        if (etag != null) {
            req.header("If-None-Match", etag);
        }
        HttpResponse<byte[]> r = send(req.build(), service);
        String tag = r.headers().firstValue("ETag").orElse(null);
        if (r.statusCode() == 304) {
            return StateHandler.Answer.notModified(tag);
        }
        check(r, service);
        StateDocument doc = StateDocument.parse(r.body(), service.toString());
        return new StateHandler.Answer(doc, tag != null ? tag : StateDocument.etagOf(r.body()));
    }

    @Override
    public String renew(Endpoint service, Ipv4Address self, byte[] publicKey) {
        byte[] body = Json.write(new HttpStateServers.RenewRequest(Base64.getEncoder().encodeToString(publicKey)));
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(service, HttpStateServers.RENEW_PATH)).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                service);
        check(r, service);
        try {
            HttpStateServers.RenewAnswer a = Json.mapper().readValue(r.body(), HttpStateServers.RenewAnswer.class);
            if (a == null || a.certificate() == null) {
                throw new MeshException("the renewal answer from " + service + " carries no certificate");
            }
            return a.certificate();
        } catch (IOException e) {
            throw new MeshException("the renewal answer from " + service + " does not parse: " + e.getMessage(), e);
        }
    }

    @Override
    public java.util.List<dev.meshjoin.core.registry.RegistryWire.Found> services(Endpoint service, Ipv4Address self,
                                                                                String name) {
        URI uri = uri(service, HttpStateServers.SERVICES_PATH + (name == null ? "" : "?name=" + name));
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), service);
        check(r, service);
        try {
            dev.meshjoin.core.registry.RegistryWire.Answer a = Json.mapper().readValue(r.body(),
                    dev.meshjoin.core.registry.RegistryWire.Answer.class);
            if (a == null) {
                throw new MeshException("the lookup answer from " + service + " is empty");
            }
            return a.instances();
        } catch (IOException | RuntimeException e) {
            if (e instanceof MeshException m) {
                throw m;
            }
            throw new MeshException("the lookup answer from " + service + " does not parse: " + e.getMessage(), e);
        }
    }

    private static void check(HttpResponse<byte[]> r, Endpoint service) {
        if (r.statusCode() == 200) {
            return;
        }
        HttpStateServers.Refusal refusal = null;
        try {
            refusal = Json.mapper().readValue(r.body(), HttpStateServers.Refusal.class);
        } catch (IOException | RuntimeException ignored) {
            // not one of ours
        }
        if (r.statusCode() == 403 && refusal != null) {
            throw new JoinRefusedException(RefusalReason.fromCode(refusal.error()), refusal.message());
        }
        throw new MeshException("the state service at " + service + " answered " + r.statusCode()
                + (refusal == null ? "" : " (" + refusal.error() + ": " + refusal.message() + ")"));
    }

    private HttpResponse<byte[]> send(HttpRequest req, Endpoint at) {
        try {
            return client.get().send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new MeshException("cannot reach the state service at " + at + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while polling " + at, e);
        }
    }

    private static URI uri(Endpoint at, String path) {
        return URI.create("http://" + at.host() + ":" + at.port() + path);
    }
}
