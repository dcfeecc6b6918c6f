package io.tandem.common.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;

/** PKCS#8 keys are read with the JDK alone; other PEM forms still through Bouncy Castle. */
class PemTest {
  private static final Path FILE = Path.of("test.key");

  private static KeyPair pair(String algorithm) throws Exception {
    return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void pkcs8KeysOfEachAlgorithmAreReadWithoutBouncyCastle() throws Exception {
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
      KeyPair p = pair(algorithm);
      String pem = Pem.encode(p.getPrivate());
      assertThat(Pem.pkcs8(pem)).as(algorithm).isNotNull();
      assertThat(Pem.privateKey(FILE, ascii(pem)).getEncoded()).as(algorithm).isEqualTo(p.getPrivate().getEncoded());
      // text before the block, as PEMParser allows
      assertThat(Pem.pkcs8("written by hand\n" + pem)).as(algorithm).isNotNull();
    }
  }

  @Test
  void aTraditionalRsaKeyIsLeftToBouncyCastleAndStillRead() throws Exception {
    KeyPair p = pair("RSA");
    StringWriter pkcs1 = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pkcs1)) {
      w.writeObject(p);
    }
    assertThat(pkcs1.toString()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(Pem.pkcs8(pkcs1.toString())).isNull();
    RSAPrivateKey read = (RSAPrivateKey) Pem.privateKey(FILE, ascii(pkcs1.toString()));
    assertThat(read.getPrivateExponent()).isEqualTo(((RSAPrivateKey) p.getPrivate()).getPrivateExponent());
  }

  @Test
  void aCertificateOrGarbageIsNoPkcs8Key() {
    assertThat(Pem.pkcs8("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).isNull();
    assertThat(Pem.pkcs8("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")).isNull();
    assertThat(Pem.pkcs8("")).isNull();
  }
}
