package io.tandem.common.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trusts only the certificates in the CA file (the trust list: one or more PEM CA certificates),
 * re-read when it changes, and optionally only holders of some roles: the Raft port and the
 * clients of a coordinator accept only {@code tandem:peer:} certificates on the other side.
 * Chain, dates and (on clients) the host name are checked by the JDK's PKIX trust manager.
 */
public final class CaTrust extends X509ExtendedTrustManager {
  private static final Logger LOG = LoggerFactory.getLogger(CaTrust.class);
  private final Path caFile;
  private final Set<Role> roles;
  private final WatchedFiles watched;
  private volatile X509ExtendedTrustManager delegate;

  /** {@code roles}: the roles the other side must hold; empty: any certificate of the CA. */
  public CaTrust(Path caFile, Set<Role> roles) {
    this(caFile, roles, System::nanoTime);
  }

  CaTrust(Path caFile, Set<Role> roles, LongSupplier nanos) {
    this.caFile = caFile;
    this.roles = Set.copyOf(roles);
    byte[][] bytes = WatchedFiles.readAll(List.of(caFile));
    this.delegate = build(bytes[0]);
    this.watched = new WatchedFiles(List.of(caFile), bytes, nanos);
  }

  private X509ExtendedTrustManager build(byte[] bytes) {
    List<X509Certificate> cas = Pem.certificates(caFile, bytes);
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
      f.init(ks);
      for (TrustManager tm : f.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new TlsException("no X.509 trust manager in this JDK");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsException(caFile + ": cannot use as a trust list: " + e.getMessage(), e);
    }
  }

  private X509ExtendedTrustManager trust() {
    byte[][] bytes = watched.changed();
    if (bytes != null) {
      try {
        delegate = build(bytes[0]);
        LOG.info("TLS: re-read the trust list {}", caFile);
      } catch (TlsException e) {
        LOG.warn("TLS: the changed trust list {} cannot be used, keeping the current one: {}", caFile, e.getMessage());
      }
    }
    return delegate;
  }

  private void checkRole(X509Certificate[] chain) throws CertificateException {
    if (roles.isEmpty()) {
      return;
    }
    Identity id = Identity.of(chain[0]).orElseThrow(() -> new CertificateException(
        "the certificate of " + chain[0].getSubjectX500Principal() + " names no tandem: identity"));
    if (!roles.contains(id.role())) {
      throw new CertificateException(id + " may not connect here (only "
          + roles.stream().map(r -> "tandem:" + r.word()).sorted().collect(Collectors.joining(", ")) + ")");
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    trust().checkClientTrusted(chain, authType, socket);
    checkRole(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    trust().checkClientTrusted(chain, authType, engine);
    checkRole(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    trust().checkClientTrusted(chain, authType);
    checkRole(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    trust().checkServerTrusted(chain, authType, socket);
    checkRole(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    trust().checkServerTrusted(chain, authType, engine);
    checkRole(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    trust().checkServerTrusted(chain, authType);
    checkRole(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return trust().getAcceptedIssuers();
  }
}
