package io.tandem.common.tls;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** The check that a certificate is valid now, with a message that names the file and the dates. */
public final class Validity {
  private Validity() {}

  /** @throws TlsException if {@code now} is outside the certificate's validity */
  public static void check(X509Certificate cert, Path file, Instant now) {
    Instant from = cert.getNotBefore().toInstant();
    Instant to = cert.getNotAfter().toInstant();
    if (now.isBefore(from)) {
      throw new TlsException(file + ": the certificate is not valid yet: valid from " + from + " to " + to
          + " (now " + now + "); check this host's clock or issue a new certificate");
    }
    if (now.isAfter(to)) {
      throw new TlsException(file + ": the certificate expired on " + to + " (valid from " + from
          + "; now " + now + "); issue a new one with tandemctl certs issue");
    }
  }
}
