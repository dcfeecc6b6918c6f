package io.tandem.common.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads and writes PEM certificates and private keys. */
public final class Pem {
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";
  private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519");

  private Pem() {}

  /** Every certificate in a PEM file (a trust list may hold several). */
  public static List<X509Certificate> certificates(Path file, byte[] bytes) {
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : f.generateCertificates(new ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new TlsException(file + ": no PEM certificate in the file");
      }
      return out;
    } catch (CertificateException e) {
      throw new TlsException(file + ": not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  public static List<X509Certificate> certificates(Path file) {
    return certificates(file, read(file));
  }

  /** A private key in PKCS#8 ({@code PRIVATE KEY}) or traditional (EC, RSA) PEM form, unencrypted. */
  public static PrivateKey privateKey(Path file, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    PrivateKey pkcs8 = pkcs8(text);
    if (pkcs8 != null) {
      return pkcs8;
    }
    try (PEMParser p = new PEMParser(new StringReader(text))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return conv.getKeyPair(pair).getPrivate();
      }
      throw new TlsException(file + ": no unencrypted PEM private key in the file"
          + (o == null ? "" : " (found " + o.getClass().getSimpleName() + ")"));
    } catch (IOException e) {
      throw new TlsException(file + ": not a PEM private key: " + e.getMessage(), e);
    }
  }

  /**
   * The key if the first PEM block of {@code text} is an unencrypted PKCS#8 key of an algorithm
   * Tandem uses (the form {@link #encode(PrivateKey)} and {@code tandemctl certs} write), read with
   * the JDK alone; else null, and Bouncy Castle reads the file. Bouncy Castle's jars are signed, so
   * their classes stay outside tandemctl's class-data archive: about 170 classes loaded and
   * verified at each start (docs/cli.md, "Start-up time").
   */
  static PrivateKey pkcs8(String text) {
    int begin = text.indexOf("-----BEGIN ");
    int end = text.indexOf(PKCS8_END);
    if (begin < 0 || !text.startsWith(PKCS8_BEGIN, begin) || end < begin) {
      return null;
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + PKCS8_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // another algorithm's key, or not a key: the next, then Bouncy Castle
      }
    }
    return null;
  }

  public static PrivateKey privateKey(Path file) {
    return privateKey(file, read(file));
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TlsException(file + ": cannot read: " + e, e);
    }
  }

  public static String encode(X509Certificate cert) {
    try {
      return block("CERTIFICATE", cert.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new TlsException("cannot encode a certificate: " + e.getMessage(), e);
    }
  }

  public static String encode(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded()); // PKCS#8
  }

  private static String block(String type, byte[] der) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }

  /**
   * Writes {@code text} to {@code file} through a temporary file in the same folder and an atomic
   * rename, so a process that re-reads the file sees the old or the new content, never half.
   * {@code secret}: owner-only permissions (0600) from the start.
   */
  public static void writeAtomically(Path file, String text, boolean secret) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      Path tmp = posix
          ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")))
          : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try {
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new TlsException(file + ": cannot write: " + e, e);
    }
  }
}
