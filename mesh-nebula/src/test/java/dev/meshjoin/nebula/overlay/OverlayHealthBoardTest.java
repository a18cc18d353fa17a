package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.api.overlay.OverlayState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OverlayHealthBoardTest {
    private final Object lock = new Object();
    private final OverlayHealthBoard board = new OverlayHealthBoard(lock);

    private void set(OverlayState s, String detail) {
        synchronized (lock) {
            board.set(s, detail, "n1");
        }
    }

    private boolean awaitUp(Duration d, boolean started) throws InterruptedException {
        synchronized (lock) {
            return board.awaitUp(d, () -> started);
        }
    }

    @Test
    void listenersHearEveryChangeInOrderOnAThreadOfTheirOwnAndASlowOneHoldsNobodyUp() throws Exception {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(3);
        board.addListener((before, now) -> {
            heard.add(before.state() + ">" + now.state() + " " + now.detail() + " on " + Thread.currentThread().getName());
            all.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        set(OverlayState.STARTING, "starting nebula");
        set(OverlayState.STARTING, "starting nebula"); // no change: nobody is told
        set(OverlayState.UP, "10.42.0.1 answered");
        set(OverlayState.DEGRADED, "no peer answered");
        // Three changes made while the listener still blocks in the first: the setters did not wait for it.
        release.countDown();
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(heard).containsExactly(
                "STOPPED>STARTING starting nebula on nebula-overlay-listeners",
                "STARTING>UP 10.42.0.1 answered on nebula-overlay-listeners",
                "UP>DEGRADED no peer answered on nebula-overlay-listeners");
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() throws Exception {
        CountDownLatch told = new CountDownLatch(1);
        board.addListener((before, now) -> {
            throw new IllegalStateException("broken listener");
        });
        board.addListener((before, now) -> told.countDown());
        set(OverlayState.STARTING, "x");
        assertThat(told.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void awaitUpIsWokenByAnotherThreadsChangeAndFailedThrowsItsReason() throws Exception {
        set(OverlayState.STARTING, "starting");
        CompletableFuture<Boolean> waiter = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                waiter.complete(awaitUp(Duration.ofSeconds(30), true));
            } catch (InterruptedException | RuntimeException e) {
                waiter.completeExceptionally(e);
            }
        }, "await-up");
        t.start();
        // Change the state only once the waiter sleeps in its 30 s wait: then only the change's
        // signal, not a state it read before waiting, can wake it within the 10 s below.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(t.getState()).as("the waiter is waiting").isEqualTo(Thread.State.TIMED_WAITING);
        set(OverlayState.UP, "answered");
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();

        set(OverlayState.FAILED, "nebula refused the config: bad key");
        assertThatThrownBy(() -> awaitUp(Duration.ofSeconds(1), true)).isInstanceOf(OverlayException.class)
                .hasMessage("nebula refused the config: bad key");
    }

    @Test
    void awaitUpTimesOutWhileStartingAndRefusesWhenNotStarted() throws Exception {
        assertThatThrownBy(() -> awaitUp(Duration.ofSeconds(1), false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not started");
        assertThat(awaitUp(Duration.ofMillis(20), true)).as("stopped, but a start is under way").isFalse();
        set(OverlayState.STARTING, "starting");
        long t0 = System.nanoTime();
        assertThat(awaitUp(Duration.ofMillis(100), true)).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }
}
