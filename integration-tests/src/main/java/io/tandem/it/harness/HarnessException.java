package io.tandem.it.harness;

/** Something the harness needed did not happen (a process did not start, a wait timed out). */
public final class HarnessException extends RuntimeException {
  public HarnessException(String message) {
    super(message);
  }

  public HarnessException(String message, Throwable cause) {
    super(message, cause);
  }
}
