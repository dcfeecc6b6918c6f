package io.tandem.agent.nodered;

/**
 * A control call to Node-RED failed: refused (HTTP status and body kept), timed out, or could not connect.
 */
public final class RuntimeControlException extends Exception {
  private static final long serialVersionUID = 1L;

  /** -1 when no HTTP reply was received (timeout, connection refused, no runtime). */
  private final int httpStatus;
  private final String body;

  public RuntimeControlException(String message, int httpStatus, String body, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.body = body == null ? "" : body;
  }

  public RuntimeControlException(String message) {
    this(message, -1, "", null);
  }

  public RuntimeControlException(String message, Throwable cause) {
    this(message, -1, "", cause);
  }

  /** The HTTP status of Node-RED's reply, or -1 if there was none. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The body of Node-RED's reply ("" if none). */
  public String body() {
    return body;
  }

  /** True if Node-RED refused the token because it already holds a higher one (HTTP 409). */
  public boolean isStaleToken() {
    return httpStatus == 409;
  }

  /** True if no reply came in time. */
  public boolean isTimeout() {
    return getCause() instanceof java.net.http.HttpTimeoutException;
  }
}
