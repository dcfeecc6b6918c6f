package io.tandem.coordinator.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Locale;

/**
 * A failure that ends a tandemctl run with one line on stderr (no stack trace) and an exit code.
 */
final class CtlException extends RuntimeException {
  /** The coordinator answered and refused the request (not found, invalid, stale, ...). */
  static final int REFUSED = 1;
  /** Bad usage, or no coordinator gave an answer. */
  static final int UNREACHABLE = 2;

  private final int exitCode;
  private final boolean answerMissing;
  private final Status.Code code;

  CtlException(int exitCode, String message) {
    this(exitCode, message, false, null);
  }

  private CtlException(int exitCode, String message, boolean answerMissing, Status.Code code) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.answerMissing = answerMissing;
    this.code = code;
  }

  /** The same failure with {@code prefix} before its message (exit code and status code kept). */
  CtlException prefixed(String prefix) {
    return new CtlException(exitCode, prefix + getMessage(), answerMissing, code);
  }

  /** True when a coordinator answered FAILED_PRECONDITION: it refused, and did nothing. */
  boolean failedPrecondition() {
    return code == Status.Code.FAILED_PRECONDITION;
  }

  /** A call that must not be re-sent got no answer in time: it may or may not have happened. */
  static CtlException answerMissing(String address, long millis) {
    return new CtlException(UNREACHABLE,
        "no answer from " + address + " within " + millis + " ms; the outcome is unknown", true, null);
  }

  int exitCode() {
    return exitCode;
  }

  /** True for {@link #answerMissing}: ask the cluster by request id what happened. */
  boolean answerMissing() {
    return answerMissing;
  }

  /** An error status that a coordinator sent on purpose, e.g. NOT_FOUND. */
  static CtlException refused(StatusRuntimeException e) {
    String description = e.getStatus().getDescription();
    Status.Code status = e.getStatus().getCode();
    String code = status.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    if (description == null || description.isBlank()) {
      return new CtlException(REFUSED, code, false, status);
    }
    if (description.toLowerCase(Locale.ROOT).contains(code)) {
      return new CtlException(REFUSED, description, false, status); // e.g. 'group "x" already exists'
    }
    return new CtlException(REFUSED, description + " (" + code + ")", false, status);
  }

  /** Every attempt failed with UNAVAILABLE or DEADLINE_EXCEEDED until the time ran out. */
  static CtlException unreachable(List<String> addresses, StatusRuntimeException last) {
    String at = String.join(",", addresses);
    if (last != null && answeredByServer(last)) {
      return new CtlException(
          UNREACHABLE, "no leader available at " + at + " (last error: " + describe(last) + ")");
    }
    return new CtlException(
        UNREACHABLE, "no coordinator reachable at " + at + " (last error: " + describe(last) + ")");
  }

  /** How much a failure tells an operator: 3 a coordinator's answer, 2 transport, 1 timeout. */
  static int rank(StatusRuntimeException e) {
    if (answeredByServer(e)) {
      return 3;
    }
    return e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED ? 1 : 2;
  }

  /** True if the status came from a coordinator (e.g. "no leader yet"), not from the transport. */
  private static boolean answeredByServer(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.UNAVAILABLE
        && e.getStatus().getCause() == null
        && e.getStatus().getDescription() != null
        && !e.getStatus().getDescription().startsWith("io exception")
        && !e.getStatus().getDescription().startsWith("Network closed");
  }

  /** A short, human description of a transport or server failure. */
  static String describe(StatusRuntimeException e) {
    if (e == null) {
      return "none recorded";
    }
    Status status = e.getStatus();
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ConnectException || String.valueOf(t.getMessage()).contains("Connection refused")) {
        return "connection refused";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
      if (t instanceof ClosedChannelException) {
        return "connection closed";
      }
      if (t instanceof javax.net.ssl.SSLException) {
        return "TLS handshake failed: " + t.getMessage()
            + " (check --ca/--cert/--key against the coordinators' CA and certificates)";
      }
    }
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return "no answer before the deadline";
    }
    String description = status.getDescription();
    if (description != null && description.startsWith("Network closed")) {
      return "connection closed";
    }
    if (description != null && !description.isBlank()) {
      return description;
    }
    return status.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
