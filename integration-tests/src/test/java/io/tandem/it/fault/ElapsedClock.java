package io.tandem.it.fault;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * Child process for clock tests: prints "ready", then for every line read from stdin the
 * monotonic and wall milliseconds elapsed since the first line, as "elapsed NANO_MS WALL_MS".
 */
public final class ElapsedClock {
  private ElapsedClock() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    System.out.println("ready");
    System.out.flush();
    long n0 = 0;
    long w0 = 0;
    boolean first = true;
    while (in.readLine() != null) {
      long n = System.nanoTime();
      long w = System.currentTimeMillis();
      if (first) {
        n0 = n;
        w0 = w;
        first = false;
      }
      System.out.println("elapsed " + (n - n0) / 1_000_000 + " " + (w - w0));
      System.out.flush();
    }
  }
}
