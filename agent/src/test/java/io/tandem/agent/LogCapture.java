package io.tandem.agent;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what the agent logs (slf4j-simple writes to System.err, looked up at every line) while
 * still passing it through. Tests in this module run one at a time in one JVM.
 */
public final class LogCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private LogCapture() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        original.write(b, off, len);
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  public String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  /** How many times {@code fragment} occurs in the captured log. */
  public int count(String fragment) {
    String t = text();
    int n = 0;
    for (int i = t.indexOf(fragment); i >= 0; i = t.indexOf(fragment, i + fragment.length())) {
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
