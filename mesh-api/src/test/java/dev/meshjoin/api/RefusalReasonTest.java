package dev.meshjoin.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RefusalReasonTest {

    @Test
    void everyReasonRoundTripsThroughItsWireCodeAndCodesAreDistinct() {
        for (RefusalReason r : RefusalReason.values()) {
            assertThat(RefusalReason.fromCode(r.code())).isEqualTo(r);
        }
        assertThat(Arrays.stream(RefusalReason.values()).map(RefusalReason::code).distinct().count())
                .isEqualTo(RefusalReason.values().length);
    }

    @Test
    void theCodesOnTheWireStayWhatOlderNodesSend() {
        assertThat(RefusalReason.BAD_CREDENTIAL.code()).isEqualTo("bad-credential");
        assertThat(RefusalReason.TOKEN_USED_UP.code()).isEqualTo("token-used-up");
        assertThat(RefusalReason.NO_ADDRESS.code()).isEqualTo("no-address");
        assertThat(RefusalReason.RESERVED_GROUP.code()).isEqualTo("reserved-group");
    }

    @Test
    void anUnknownOrMissingCodeIsOtherNotAnError() {
        assertThat(RefusalReason.fromCode("from-a-newer-lighthouse")).isEqualTo(RefusalReason.OTHER);
        assertThat(RefusalReason.fromCode(null)).isEqualTo(RefusalReason.OTHER);
        assertThat(new JoinRefusedException(RefusalReason.fromCode("x"), "m").reason()).isEqualTo(RefusalReason.OTHER);
    }
}
