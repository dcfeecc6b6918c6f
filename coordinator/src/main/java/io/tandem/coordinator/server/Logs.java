package io.tandem.coordinator.server;

import java.util.logging.Level;

/**
 * Log levels for the coordinator process (slf4j-simple reads them from system properties when a
 * logger is created, so this runs before any logger exists). Ratis and gRPC log stack traces at
 * INFO/WARN when peers come and go; only their warnings and errors are kept. Explicit -D
 * settings win.
 */
public final class Logs {
  private static final java.util.logging.Logger[] KEEP = new java.util.logging.Logger[3];

  private Logs() {}

  public static void configure() {
    def("org.slf4j.simpleLogger.defaultLogLevel", "info");
    def("org.slf4j.simpleLogger.showDateTime", "true");
    def("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    def("org.slf4j.simpleLogger.showShortLogName", "true");
    def("org.slf4j.simpleLogger.log.org.apache.ratis", "warn");
    // Peers coming and going are expected here; Tandem logs its own line for leader changes.
    def("org.slf4j.simpleLogger.log.org.apache.ratis.server.RaftServer$Division", "error");
    def("org.slf4j.simpleLogger.log.org.apache.ratis.server.impl", "error");
    def("org.slf4j.simpleLogger.log.org.apache.ratis.server.leader", "error");
    def("org.slf4j.simpleLogger.log.org.apache.ratis.grpc", "error");
    def("org.slf4j.simpleLogger.log.org.apache.ratis.util", "error");
    // A failed start is logged there as a 21-line "java.lang.Throwable: TRACE" before Tandem's
    // own message (StartFailures), which names the file and the cause.
    def("org.slf4j.simpleLogger.log.org.apache.ratis.util.LifeCycle", "off");
    // gRPC (plain and Ratis's relocated copy) logs through java.util.logging.
    KEEP[0] = quiet("io.grpc");
    KEEP[1] = quiet("org.apache.ratis.thirdparty");
    KEEP[2] = quiet("io.netty");
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    l.setLevel(Level.SEVERE);
    return l;
  }

  private static void def(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
