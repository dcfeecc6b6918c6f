package io.tandem.common.tls;

/** A TLS file that cannot be used: missing, unreadable, expired, or not matching its key. */
public final class TlsException extends RuntimeException {
  public TlsException(String message) {
    super(message);
  }

  public TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
