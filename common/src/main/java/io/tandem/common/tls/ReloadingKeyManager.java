package io.tandem.common.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's own certificate and key, re-read from their files when they change (rotation
 * without a restart: the next handshake uses the new pair). At construction an unreadable,
 * mismatched, expired or not-yet-valid pair is refused with a {@link TlsException} that names the
 * file (and the dates); a bad replacement later is logged and the current pair is kept.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);
  private final Path certFile;
  private final Path keyFile;
  private final Supplier<Instant> clock;
  private final WatchedFiles watched;
  private final AtomicLong generation = new AtomicLong();
  /** By alias: the current pair and the one before (a handshake that began before a swap). */
  private final ConcurrentHashMap<String, Pair> pairs = new ConcurrentHashMap<>();
  private volatile String current;

  private record Pair(X509Certificate[] chain, PrivateKey key) {}

  public ReloadingKeyManager(Path certFile, Path keyFile) {
    this(certFile, keyFile, Instant::now, System::nanoTime);
  }

  ReloadingKeyManager(Path certFile, Path keyFile, Supplier<Instant> clock, LongSupplier nanos) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.clock = clock;
    byte[][] bytes = WatchedFiles.readAll(List.of(certFile, keyFile));
    install(parse(bytes));
    this.watched = new WatchedFiles(List.of(certFile, keyFile), bytes, nanos);
  }

  private Pair parse(byte[][] bytes) {
    List<X509Certificate> chain = Pem.certificates(certFile, bytes[0]);
    PrivateKey key = Pem.privateKey(keyFile, bytes[1]);
    if (!KeyMatch.matches(chain.get(0), key)) {
      throw new TlsException(keyFile + " is not the private key of the certificate in " + certFile);
    }
    Validity.check(chain.get(0), certFile, clock.get());
    return new Pair(chain.toArray(X509Certificate[]::new), key);
  }

  private void install(Pair p) {
    String alias = "tandem-" + generation.incrementAndGet();
    String before = current;
    pairs.put(alias, p);
    current = alias;
    if (before != null) {
      pairs.keySet().removeIf(a -> !a.equals(alias) && !a.equals(before));
    }
  }

  /** Re-reads the files if they changed (at most twice a second). */
  public void refresh() {
    byte[][] bytes = watched.changed();
    if (bytes == null) {
      return;
    }
    try {
      Pair p = parse(bytes);
      install(p);
      LOG.info("TLS: re-read {} (serial {}, valid until {}); new connections use it", certFile,
          p.chain()[0].getSerialNumber().toString(16), p.chain()[0].getNotAfter().toInstant());
    } catch (TlsException e) {
      LOG.warn("TLS: the changed {} / {} cannot be used, keeping the current certificate: {}",
          certFile, keyFile, e.getMessage());
    }
  }

  /** The certificate in use now. */
  public X509Certificate certificate() {
    return pairs.get(current).chain()[0];
  }

  private String alias() {
    refresh();
    return current;
  }

  /** The alias if its key is of one of the types asked for (JSSE asks per algorithm), else null. */
  private String alias(String... keyTypes) {
    String a = alias();
    String alg = pairs.get(a).key().getAlgorithm();
    for (String t : keyTypes) {
      if (t != null && (t.equals(alg) || t.startsWith(alg + "_"))) {
        return a;
      }
    }
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {alias()};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {alias()};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Pair p = pairs.get(alias);
    return p == null ? null : p.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Pair p = pairs.get(alias);
    return p == null ? null : p.key();
  }
}
