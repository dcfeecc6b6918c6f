package io.tandem.coordinator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version from the jar's Maven descriptor (absent when run from a classes folder). */
final class VersionProvider implements IVersionProvider {
  private static final String POM_PROPERTIES =
      "/META-INF/maven/io.tandem/tandem-cli/pom.properties";

  @Override
  public String[] getVersion() {
    String version = "development build";
    try (InputStream in = TandemCtl.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        version = p.getProperty("version", version);
      }
    } catch (IOException e) {
      // keep "development build"
    }
    return new String[] {
      "tandemctl " + version,
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
