package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.meshjoin.api.store.BootstrapStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuditBudgetTest {

    @Test
    void aStoreOfAThousandWritesADayGetsAHundredForAuditAndHourlySummaries() {
        BootstrapStore kv = mock(BootstrapStore.class);
        when(kv.writesPerDay()).thenReturn(1_000L);
        AuditLog.Budget b = AuditLog.Budget.forStore(kv);
        assertThat(b.perDay()).isEqualTo(100);
        assertThat(b.burst()).isEqualTo(5);
        // Summaries alone never take more than a quarter of the budget: 24 h / 25 = 57.6 min.
        assertThat(b.summaryInterval()).isEqualTo(Duration.ofSeconds(3456));
        assertThat(Duration.ofDays(1).dividedBy(b.summaryInterval())).isLessThanOrEqualTo((long) (b.perDay() / 4));
    }

    @Test
    void aStoreWithoutALimitIsAuditedAtUpToOneWriteASecondWithMinuteSummaries() {
        BootstrapStore unlimited = mock(BootstrapStore.class);
        when(unlimited.writesPerDay()).thenReturn(Long.MAX_VALUE);
        AuditLog.Budget b = AuditLog.Budget.forStore(unlimited);
        assertThat(b.perDay()).isEqualTo(86_400);
        assertThat(b.burst()).isEqualTo(100);
        assertThat(b.summaryInterval()).isEqualTo(Duration.ofMinutes(1));
    }
}
