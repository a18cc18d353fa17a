package dev.meshjoin.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BackgroundHttpClientTest {

    @Test
    void theClientIsBuiltOnAnotherThreadWhileTheOwnerGoesOnAndIsTheSameAtEveryUse() throws Exception {
        CountDownLatch ownerWentOn = new CountDownLatch(1);
        AtomicReference<String> builtOn = new AtomicReference<>();
        BackgroundHttpClient c = BackgroundHttpClient.building(() -> {
            builtOn.set(Thread.currentThread().getName());
            try {
                // Built inline, this would wait for the owner that is still in the constructor.
                if (!ownerWentOn.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the owner never went on");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        }, "test");
        ownerWentOn.countDown();
        HttpClient first = c.get();
        assertThat(c.get()).isSameAs(first);
        assertThat(builtOn.get()).isEqualTo("meshjoin-http-test").isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aFailedBuildIsThrownAsItWasThrownAtEveryUse() {
        BackgroundHttpClient c = BackgroundHttpClient.building(() -> {
            throw new IllegalArgumentException("no proxy selector: configure one");
        }, "failing");
        assertThatThrownBy(c::get).isInstanceOf(IllegalArgumentException.class).hasMessage("no proxy selector: configure one");
        assertThatThrownBy(c::get).isInstanceOf(IllegalArgumentException.class);
    }
}
