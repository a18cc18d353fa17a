package dev.meshjoin.api.registry;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * Sends HTTP requests to live instances of a service over the overlay, choosing the instance by
 * load (power of two choices over the reported load and this client's own requests in flight).
 * A request that cannot connect, or an idempotent one answered 502 or 503, is sent to another
 * instance; any other request is sent once.
 */
public interface ServiceClient {

    /** The live instances of {@code name}; see {@link ServiceRegistry#lookup}. */
    List<LiveInstance> lookup(String name);

    /**
     * Sends {@code request} to an instance of {@code service}: its method, headers, body, path and
     * query are kept, its scheme, host and port replaced by the instance's overlay address and port.
     *
     * @throws NoLiveInstanceException when nobody offers the service, or every instance tried failed
     * @throws RegistryException when the lookup itself failed
     */
    <T> HttpResponse<T> send(String service, HttpRequest request, HttpResponse.BodyHandler<T> handler);
}
