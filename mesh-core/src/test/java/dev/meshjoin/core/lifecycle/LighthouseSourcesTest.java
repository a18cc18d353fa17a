package dev.meshjoin.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.core.state.Beat;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A member's polls go to a lighthouse that answers; a lost one is tried after the others, not first every time. */
class LighthouseSourcesTest {
    private static final Endpoint GONE = new Endpoint("10.42.0.1", 8444);
    private static final Endpoint LIVE = new Endpoint("10.42.0.2", 8444);
    private static final Beat BEAT = new Beat("worker", "fp", null, null, false);

    /** Answers from the endpoints in {@code up}, fails from the others, and records every try. */
    private static final class Channel implements StateChannel {
        final Set<Endpoint> up = ConcurrentHashMap.newKeySet();
        final List<Endpoint> tried = new ArrayList<>();

        @Override
        public synchronized StateHandler.Answer poll(Endpoint service, Ipv4Address self, String etag, Beat beat) {
            tried.add(service);
            if (!up.contains(service)) {
                throw new MeshException("connect timed out: " + service);
            }
            return StateHandler.Answer.notModified("etag");
        }

        @Override
        public String renew(Endpoint service, Ipv4Address self, byte[] publicKey) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aLighthouseThatDidNotAnswerIsTriedLastUntilItAnswersAgain() {
        Channel channel = new Channel();
        channel.up.add(LIVE);
        LighthouseSources sources = new LighthouseSources(channel, () -> List.of(GONE, LIVE), Ipv4Address.parse("10.42.0.7"));
        for (int i = 0; i < 40; i++) {
            assertThat(sources.poll(null, BEAT).etag()).isEqualTo("etag");
        }
        assertThat(channel.tried.stream().filter(GONE::equals).count()).as("the lost one cost at most one try")
                .isLessThanOrEqualTo(1);

        // Now the other one is lost and the first is back: after one failure each poll goes to the first.
        channel.up.clear();
        channel.up.add(GONE);
        channel.tried.clear();
        for (int i = 0; i < 40; i++) {
            sources.poll(null, BEAT);
        }
        assertThat(channel.tried.stream().filter(LIVE::equals).count()).isEqualTo(1);
        assertThat(channel.tried.stream().filter(GONE::equals).count()).isEqualTo(40);
    }

    @Test
    void whenNoneAnswersEveryOneIsTriedAndTheFailureSaysSo() {
        Channel channel = new Channel();
        LighthouseSources sources = new LighthouseSources(channel, () -> List.of(GONE, LIVE), Ipv4Address.parse("10.42.0.7"));
        assertThatThrownBy(() -> sources.poll(null, BEAT)).isInstanceOf(MeshException.class)
                .hasMessageContaining("no lighthouse state service answered (2 tried");
        assertThatThrownBy(() -> sources.poll(null, BEAT)).hasMessageContaining("2 tried");
        assertThat(channel.tried).hasSize(4);
    }
}
