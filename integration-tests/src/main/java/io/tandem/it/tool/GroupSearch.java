package io.tandem.it.tool;

import java.util.OptionalInt;

/**
 * The search of {@code bin/tandem scale --search} for the largest group count that passes: from
 * {@code start}, double while levels pass; after the first failure, bisect between the largest
 * pass and the smallest failure until they are within {@code resolution} of the pass (at least
 * one group apart) or {@code maxLevels} levels ran. Pure: the caller runs each level and reports
 * whether it passed.
 */
final class GroupSearch {
  private final int maxLevels;
  private final double resolution;
  private int next;
  private int pass; // largest passing G so far, 0 none
  private int fail; // smallest failing G so far, 0 none
  private int levels;

  GroupSearch(int start, int maxLevels, double resolution) {
    if (start < 1 || maxLevels < 1 || resolution <= 0) {
      throw new IllegalArgumentException("start and maxLevels at least 1, resolution above 0");
    }
    this.next = start;
    this.maxLevels = maxLevels;
    this.resolution = resolution;
  }

  /** The group count to run next; empty when the search is over. */
  OptionalInt next() {
    return next > 0 && levels < maxLevels ? OptionalInt.of(next) : OptionalInt.empty();
  }

  /** The outcome of the level {@link #next()} named. */
  void record(int groups, boolean passed) {
    levels++;
    if (passed) {
      pass = Math.max(pass, groups);
    } else {
      fail = fail == 0 ? groups : Math.min(fail, groups);
    }
    if (fail == 0) {
      next = 2 * pass; // still doubling
      return;
    }
    int gap = fail - pass;
    next = gap <= Math.max(1, (int) Math.floor(pass * resolution)) ? 0 : pass + gap / 2;
  }

  /** The largest group count that passed (0: none). */
  int largestPass() {
    return pass;
  }

  /** The smallest group count that failed (0: none yet). */
  int smallestFail() {
    return fail;
  }

  int levels() {
    return levels;
  }
}
