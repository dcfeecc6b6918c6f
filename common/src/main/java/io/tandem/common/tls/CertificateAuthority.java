package io.tandem.common.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for a Tandem installation ({@code tandemctl certs}): a CA
 * certificate and key in a folder, and leaf certificates whose URI SAN names an {@link Identity}.
 * Keys are ECDSA P-256; certificates are signed with SHA-256.
 */
public final class CertificateAuthority {
  public static final long CA_DAYS = 3650;
  public static final long LEAF_DAYS = 825;
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate cert;
  private final PrivateKey key;

  private CertificateAuthority(X509Certificate cert, PrivateKey key) {
    this.cert = cert;
    this.key = key;
  }

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** Writes {@code DIR/STEM.crt} and {@code DIR/STEM.key} (0600); returns the certificate's path. */
    public Path writeTo(Path dir, String stem) {
      Path crt = dir.resolve(stem + ".crt");
      Pem.writeAtomically(dir.resolve(stem + ".key"), Pem.encode(key), true);
      Pem.writeAtomically(crt, Pem.encode(certificate), false);
      return crt;
    }
  }

  /** A new CA valid from {@code now} for {@code days}. */
  public static CertificateAuthority create(String commonName, Instant now, long days) {
    KeyPair kp = newKeyPair();
    X500Name subject = name(commonName);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(days))),
          subject, kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new CertificateAuthority(sign(b, kp.getPrivate()), kp.getPrivate());
    } catch (java.io.IOException | GeneralSecurityException e) {
      throw new TlsException("cannot create a CA certificate: " + e.getMessage(), e);
    }
  }

  /** The CA in {@code dir} ({@code ca.crt}, {@code ca.key}). */
  public static CertificateAuthority load(Path dir) {
    Path crt = dir.resolve(CA_CERT);
    Path k = dir.resolve(CA_KEY);
    if (!Files.exists(crt) || !Files.exists(k)) {
      throw new TlsException(dir + ": no CA here (" + CA_CERT + " and " + CA_KEY
          + "); create one with: tandemctl certs init --dir " + dir);
    }
    X509Certificate c = Pem.certificates(crt).get(0);
    PrivateKey key = Pem.privateKey(k);
    if (!KeyMatch.matches(c, key)) {
      throw new TlsException(k + " is not the key of " + crt);
    }
    return new CertificateAuthority(c, key);
  }

  /** Writes {@code ca.crt} and {@code ca.key} (0600) into {@code dir}; refuses to replace a CA. */
  public void writeTo(Path dir) {
    if (Files.exists(dir.resolve(CA_KEY)) || Files.exists(dir.resolve(CA_CERT))) {
      throw new TlsException(dir + " already holds a CA (" + CA_CERT + ", " + CA_KEY
          + "); remove them first to start a new one (every certificate it issued stops being trusted)");
    }
    Pem.writeAtomically(dir.resolve(CA_KEY), Pem.encode(key), true);
    Pem.writeAtomically(dir.resolve(CA_CERT), Pem.encode(cert), false);
  }

  public X509Certificate certificate() {
    return cert;
  }

  /**
   * A leaf certificate for {@code id}, valid from {@code notBefore} to {@code notAfter}, for TLS
   * servers and clients, with the URI SAN of the identity plus the given DNS names and IP addresses.
   */
  public Issued issue(Identity id, List<String> dnsNames, List<String> ips, Instant notBefore,
      Instant notAfter) {
    KeyPair kp = newKeyPair();
    List<GeneralName> sans = new ArrayList<>();
    sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri()));
    for (String d : dnsNames) {
      sans.add(new GeneralName(GeneralName.dNSName, d));
    }
    for (String ip : ips) {
      sans.add(new GeneralName(GeneralName.iPAddress, checkIp(ip)));
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(),
          Date.from(notBefore), Date.from(notAfter), name(id.uri()), kp.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
      return new Issued(sign(b, key), kp.getPrivate());
    } catch (java.io.IOException | GeneralSecurityException e) {
      throw new TlsException("cannot issue a certificate for " + id + ": " + e.getMessage(), e);
    }
  }

  /** {@link #issue} valid from five minutes ago (clock skew) for {@code days}. */
  public Issued issue(Identity id, List<String> dnsNames, List<String> ips, Instant now, long days) {
    return issue(id, dnsNames, ips, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(days)));
  }

  private static String checkIp(String ip) {
    if (!ip.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
      throw new TlsException("\"" + ip + "\" is not an IP address");
    }
    try {
      InetAddress.getByName(ip); // literal only (checked above), so no lookup
      return ip;
    } catch (UnknownHostException e) {
      throw new TlsException("\"" + ip + "\" is not an IP address");
    }
  }

  private static X500Name name(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Tandem").addRDN(BCStyle.CN, cn).build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      X509CertificateHolder h = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
      return new JcaX509CertificateConverter().getCertificate(h);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot generate an EC key: " + e.getMessage(), e);
    }
  }
}
