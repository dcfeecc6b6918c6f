package io.tandem.it.tool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Samples of one measured quantity (milliseconds), with nearest-rank percentiles. */
final class Stats {
  private final List<Long> samples = new ArrayList<>();
  private int failures;

  void add(long millis) {
    samples.add(millis);
  }

  void fail() {
    failures++;
  }

  int runs() {
    return samples.size();
  }

  int failures() {
    return failures;
  }

  /** Nearest-rank percentile (p in 0..100); -1 without samples. With 20 samples p99 is the maximum. */
  long percentile(double p) {
    if (samples.isEmpty()) {
      return -1;
    }
    List<Long> s = new ArrayList<>(samples);
    Collections.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  long lastSample() {
    return samples.isEmpty() ? -1 : samples.get(samples.size() - 1);
  }

  List<Long> samples() {
    return List.copyOf(samples);
  }

  long max() {
    return samples.isEmpty() ? -1 : Collections.max(samples);
  }
}
