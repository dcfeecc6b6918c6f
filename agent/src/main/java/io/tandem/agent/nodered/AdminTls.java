package io.tandem.agent.nodered;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The agent's HTTPS trust for the Node-RED admin API: the PEM certificates of {@code nodeRed.adminCa}
 * (the CA that signed Node-RED's certificate, or that certificate itself) and nothing else. The host
 * name is verified as usual: the certificate must name the address the agent connects to
 * ({@code nodeRed.host}, by default 127.0.0.1: an IP SAN; or the host of {@code nodeRed.url}).
 */
public final class AdminTls {
  private AdminTls() {}

  /** An SSL context that trusts only the certificates in {@code pemFile}. */
  public static SSLContext trusting(Path pemFile) throws IOException {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pemFile)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(pemFile + ": no such file");
    } catch (GeneralSecurityException e) {
      throw new IOException(pemFile + " does not hold PEM certificates: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IOException(pemFile + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
    }
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("node-red-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot build a trust store from " + pemFile + ": " + e.getMessage(), e);
    }
  }

  /** The admin API's HTTP client: plain, or trusting {@code adminCa} (null: the JVM's default trust). */
  static HttpClient httpClient(Path adminCa) {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(java.time.Duration.ofSeconds(2));
    if (adminCa != null) {
      try {
        b.sslContext(trusting(adminCa));
      } catch (IOException e) {
        throw new IllegalStateException("nodeRed.adminCa: " + e.getMessage(), e);
      }
    }
    return b.build();
  }
}
