package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsPageTest {
  private static String latency(String instance, long... cumulative) {
    String[] le = {"0.001", "0.005", "0.01", "0.05", "+Inf"};
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < le.length; i++) {
      b.append("tandem_context_flush_latency_seconds_bucket{group=\"bench\",instance=\"").append(instance)
          .append("\",le=\"").append(le[i]).append("\"} ").append(cumulative[i]).append('\n');
    }
    b.append("tandem_context_flush_latency_seconds_count{group=\"bench\",instance=\"").append(instance)
        .append("\"} ").append(cumulative[le.length - 1]).append('\n');
    return b.toString();
  }

  @Test
  void countersAreSummedOverSeriesWithTheGivenLabelsOnly() {
    MetricsPage p = new MetricsPage(String.join("\n",
        "# HELP tandem_context_writes_total WriteContext calls answered by this leader",
        "# TYPE tandem_context_writes_total counter",
        "tandem_context_writes_total{group=\"bench\",outcome=\"applied\"} 42.0",
        "tandem_context_writes_total{group=\"other\",outcome=\"applied\"} 8",
        "tandem_context_writes_total{group=\"bench\",outcome=\"refused\"} 5.0",
        "tandem_context_writes_total_extra 1000",
        "tandem_context_flushes_total 1.5E1 1700000000000"));
    assertThat(p.sum("tandem_context_writes_total", "outcome=\"applied\"")).isEqualTo(50.0);
    assertThat(p.sum("tandem_context_writes_total", "outcome=\"applied\"", "group=\"bench\"")).isEqualTo(42.0);
    assertThat(p.sum("tandem_context_writes_total")).isEqualTo(55.0);
    assertThat(p.sum("tandem_context_flushes_total")).as("no labels, a timestamp").isEqualTo(15.0);
    assertThat(p.sum("tandem_missing")).isZero();
  }

  @Test
  void histogramDifferenceGivesTheQuantilesOfTheObservationsBetweenTwoReadings() {
    MetricsPage before = new MetricsPage(latency("a", 5, 5, 5, 5, 5));
    // 10 new flushes: 2 within 1 ms, 6 more within 5 ms, 1 within 10 ms, 1 within 50 ms
    MetricsPage after = new MetricsPage(latency("a", 7, 13, 14, 15, 15));
    MetricsPage.Buckets d = after.buckets("tandem_context_flush_latency_seconds")
        .minus(before.buckets("tandem_context_flush_latency_seconds"));
    assertThat(d.count()).isEqualTo(10);
    assertThat(d.quantile(0.2)).isEqualTo(0.001);
    assertThat(d.quantile(0.5)).isEqualTo(0.005);
    assertThat(d.quantile(0.9)).isEqualTo(0.01);
    assertThat(d.quantile(0.99)).isEqualTo(0.05);
    assertThat(MetricsPage.Buckets.empty().quantile(0.5)).isNaN();
  }

  @Test
  void seriesOfOneHistogramAreMergedAndAboveTheLastBoundIsInfinite() {
    MetricsPage two = new MetricsPage(latency("a", 1, 1, 1, 1, 2) + latency("b", 0, 0, 0, 0, 2));
    MetricsPage.Buckets b = two.buckets("tandem_context_flush_latency_seconds");
    assertThat(b.count()).isEqualTo(4);
    assertThat(b.quantile(0.25)).isEqualTo(0.001);
    assertThat(b.quantile(0.5)).isInfinite();
    assertThat(b.plus(b).count()).isEqualTo(8);
    assertThat(ContextTable.ms(0.0052)).isEqualTo("<=5.2 ms");
    assertThat(ContextTable.ms(Double.POSITIVE_INFINITY)).isEqualTo("> max bucket");
  }

  @Test
  void contextTablePercentilesAreNearestRank() {
    List<Double> v = List.of(30.0, 10.0, 20.0, 40.0);
    assertThat(ContextTable.percentile(v, 50)).isEqualTo(20.0);
    assertThat(ContextTable.percentile(v, 0)).isEqualTo(10.0);
    assertThat(ContextTable.percentile(v, 100)).isEqualTo(40.0);
    assertThat(ContextTable.percentile(List.of(), 50)).isNaN();
  }

  @Test
  void aSustainedRunsRatesAreOverTheFlowsOwnTime() {
    ContextRuns.Sustained w = new ContextRuns.Sustained(50_000, 2_000, 41, 40, 8_000, MetricsPage.Buckets.empty());
    assertThat(w.setsPerSecond()).isEqualTo(25_000.0);
    assertThat(w.entriesPerSecond()).isEqualTo(20.5);
    assertThat(new ContextRuns.Crash(120, 117).lost()).isEqualTo(3);
  }
}
