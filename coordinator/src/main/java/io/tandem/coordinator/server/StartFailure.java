package io.tandem.coordinator.server;

/**
 * A coordinator could not start, with Tandem's own one-paragraph explanation (what, which file or
 * port, the cause, and what to do). {@link CoordinatorMain} prints the message and exits 1.
 */
public final class StartFailure extends java.io.IOException {
  private static final long serialVersionUID = 1L;

  public StartFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
