package dev.meshjoin.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoleTest {

    @Test
    void rolesAreStoredAsTheLowerCaseWordsStoresAlreadyHold() {
        MemberRecord rec = new MemberRecord(Versioned.SCHEMA, "n1", "10.42.0.2", List.of(), Role.LIGHTHOUSE, null, "fp",
                Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2029-01-01T00:00:00Z"));
        String json = new String(Json.write(rec), StandardCharsets.UTF_8);
        assertThat(json).contains("\"role\":\"lighthouse\"");
        assertThat(Json.read(Json.write(rec), MemberRecord.class, "k").role()).isEqualTo(Role.LIGHTHOUSE);
    }

    @Test
    void aRecordWrittenBeforeTheEnumExistedStillParses() {
        String old = "{\"schema\":1,\"node\":\"w\",\"overlayAddress\":\"10.42.0.9\",\"groups\":[\"workers\"],"
                + "\"role\":\"member\",\"publicEndpoint\":null,\"certificateFingerprint\":\"ab\","
                + "\"certificateNotAfter\":\"2030-01-01T00:00:00Z\",\"lastSeen\":\"2029-01-01T00:00:00Z\"}";
        assertThat(Json.read(old.getBytes(StandardCharsets.UTF_8), MemberRecord.class, "k").role()).isEqualTo(Role.MEMBER);
        assertThat(Role.fromWire("founder")).isEqualTo(Role.FOUNDER);
        assertThat(Role.FOUNDER.servesJoins()).isTrue();
        assertThat(Role.MEMBER.servesJoins()).isFalse();
    }

    @Test
    void anUnknownRoleIsADamagedRecordNamingItsKey() {
        String bad = "{\"schema\":1,\"node\":\"w\",\"overlayAddress\":\"10.42.0.9\",\"groups\":[],\"role\":\"admin\","
                + "\"certificateFingerprint\":\"ab\",\"certificateNotAfter\":\"2030-01-01T00:00:00Z\","
                + "\"lastSeen\":\"2029-01-01T00:00:00Z\"}";
        assertThatThrownBy(() -> Json.read(bad.getBytes(StandardCharsets.UTF_8), MemberRecord.class, "mesh/x/members/w"))
                .isInstanceOf(Json.CorruptRecordException.class).hasMessageContaining("mesh/x/members/w");
    }
}
