package dev.meshjoin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.testkit.netns.CommandResult;
import dev.meshjoin.testkit.netns.NetnsHost;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code meshctl up --metrics}: a founder with real nebula serves Prometheus text; a member joins
 * through it and a request that is no join request is refused; the scrape (HTTP with curl inside the
 * founder's namespace, where the endpoint listens on loopback) has every meshjoin meter, with the
 * admission and the refusal counted. Needs root, nebula and curl.
 */
class MeshctlMetricsIT extends MeshctlLabIT {
    private static final Pattern AT = Pattern.compile("(?m)^metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)$");

    private static String scrape(NetnsHost host, String url) {
        CommandResult r = host.exec("curl", "-sS", "--max-time", "5", url);
        assertThat(r.ok()).as(r.output()).isTrue();
        return r.output();
    }

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aFounderServesEveryMeterAndCountsTheAdmissionAndTheRefusal() throws Exception {
        assumeTrue(MeshctlLab.onPath("curl"), "skipped: curl is not on PATH (apt-get install curl)");
        lab = MeshctlLab.create(2, tmp);
        NetnsHost h1 = lab.host(1);
        lab.up(h1, "lh", true, "--metrics", "127.0.0.1:0");
        lab.ready("lh");
        String url = lab.await("lh", AT, 0, 5_000).group(1);
        lab.up(lab.host(2), "member", false);
        lab.ready("member");
        // A request that is no join request: refused by the signing service as bad-request.
        CommandResult bogus = lab.host(2).exec("curl", "-sS", "--max-time", "5", "-X", "POST", "--data", "not a join",
                "http://" + h1.address() + ":8444/v1/join");
        assertThat(bogus.output()).as(bogus.output()).contains("bad-request");

        String text = scrape(h1, url);
        assertThat(value(text, "meshjoin_node_state{node=\"lh\",state=\"READY\"}")).isEqualTo(1);
        assertThat(value(text, "meshjoin_node_state{node=\"lh\",state=\"JOINING\"}")).isZero();
        assertThat(value(text, "meshjoin_join_duration_seconds_count{node=\"lh\",outcome=\"READY\"}")).isEqualTo(1);
        assertThat(value(text, "meshjoin_join_duration_seconds_sum{node=\"lh\",outcome=\"READY\"}")).isPositive();
        assertThat(value(text, "meshjoin_certificate_expires_in_seconds{node=\"lh\"}"))
                .isBetween(29 * 86_400.0, 30 * 86_400.0 + 300);
        assertThat(value(text, "meshjoin_certificate_renewals_total{node=\"lh\"}")).isZero();
        assertThat(value(text, "meshjoin_overlay_restarts_total{node=\"lh\"}")).isZero();
        assertThat(value(text, "meshjoin_lighthouse_serving{node=\"lh\"}")).isEqualTo(1);
        assertThat(value(text, "meshjoin_lighthouse_admissions_total{node=\"lh\"}")).isEqualTo(1);
        assertThat(value(text, "meshjoin_lighthouse_refusals_total{node=\"lh\",reason=\"bad-request\"}"))
                .isEqualTo(1);
        assertThat(value(text, "meshjoin_lighthouse_refusals_total{node=\"lh\",reason=\"bad-credential\"}")).isZero();
        assertThat(value(text, "meshjoin_lighthouse_live_members{node=\"lh\"}")).isGreaterThanOrEqualTo(0);
        assertThat(value(text, "meshjoin_store_requests_seconds_count{node=\"lh\",operation=\"put-if-absent\","
                + "outcome=\"written\"}")).isPositive();
        assertThat(value(text, "meshjoin_store_requests_seconds_count{node=\"lh\",operation=\"get\",outcome=\"found\"}"))
                .isPositive();
        assertThat(text).contains("# TYPE meshjoin_store_requests_seconds_max gauge");
    }
}
