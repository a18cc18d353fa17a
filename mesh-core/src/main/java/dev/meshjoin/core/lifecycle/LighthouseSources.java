package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.state.Beat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * A member's {@link StateFollower.Source}: the state services of every lighthouse, over the
 * overlay, tried in random order until one answers (those whose last try failed after the others). A lighthouse that refuses (revoked, unknown
 * caller) is believed; one that cannot be reached is skipped.
 */
public final class LighthouseSources implements StateFollower.Source {
    private final StateChannel channel;
    private final Supplier<List<Endpoint>> services;
    private final Ipv4Address self;
    private final java.time.Clock clock;
    private final java.util.Map<String, java.time.Instant> lastContact = new java.util.concurrent.ConcurrentHashMap<>();
    /** Lighthouses whose last try failed: tried after the others, so a lost one costs one timeout, not one per poll. */
    private final java.util.Set<String> unanswered = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param services the lighthouses' state services, read anew at every call (the state may add some) */
    public LighthouseSources(StateChannel channel, Supplier<List<Endpoint>> services, Ipv4Address self) {
        this(channel, services, self, java.time.Clock.systemUTC());
    }

    /** As above, with the clock that stamps each lighthouse's last answer. */
    public LighthouseSources(StateChannel channel, Supplier<List<Endpoint>> services, Ipv4Address self,
                             java.time.Clock clock) {
        this.channel = channel;
        this.services = services;
        this.self = self;
        this.clock = clock;
    }

    /** When each lighthouse (by overlay address) last answered a poll or renewal, refusals included. */
    @Override
    public java.util.Map<String, java.time.Instant> lastContact() {
        return java.util.Map.copyOf(lastContact);
    }

    private void answered(Endpoint s) {
        lastContact.put(s.host(), clock.instant());
        unanswered.remove(s.toString());
    }

    @Override
    public StateHandler.Answer poll(String etag, Beat beat) {
        return each(s -> channel.poll(s, self, etag, beat));
    }

    @Override
    public String renew(byte[] publicKey) {
        return each(s -> channel.renew(s, self, publicKey));
    }

    private <T> T each(java.util.function.Function<Endpoint, T> call) {
        List<Endpoint> order = new ArrayList<>(services.get());
        order.removeIf(e -> e.host().equals(self.toString()));
        Collections.shuffle(order);
        order.sort(java.util.Comparator.comparing(e -> unanswered.contains(e.toString())));
        MeshException last = null;
        for (Endpoint s : order) {
            try {
                T answer = call.apply(s);
                answered(s);
                return answer;
            } catch (JoinRefusedException e) {
                answered(s);
                throw e;
            } catch (MeshException e) {
                unanswered.add(s.toString());
                last = e;
            }
        }
        throw new MeshException("no lighthouse state service answered (" + order.size() + " tried"
                + (last == null ? "" : "; last: " + last.getMessage()) + ")", last);
    }
}
