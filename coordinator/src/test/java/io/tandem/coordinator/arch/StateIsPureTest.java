package io.tandem.coordinator.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.tandem.coordinator.state.Applier;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replicated state is pure (DESIGN.md, STYLE.md 1 and 3): no transport, no Ratis, no I/O, no
 * clock, no randomness, no other coordinator package. The lease keeper takes its time as a value.
 */
class StateIsPureTest {
  private static final String STATE = "io.tandem.coordinator.state..";
  private static JavaClasses imported;

  /**
   * Imports the main classes only, from where Applier was loaded (the main classes folder or
   * jar; the build's folder name varies, so ArchUnit's test-folder patterns do not apply).
   */
  @BeforeAll
  static void importMainClasses() throws Exception {
    Path main = Path.of(Applier.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    imported = new ClassFileImporter()
        .withImportOption(location -> location.contains("/io/tandem/coordinator/"))
        .importPath(main);
  }

  @Test
  void stateClassesExist() {
    // Guards against a rule passing vacuously because nothing was imported.
    org.assertj.core.api.Assertions.assertThat(imported.that(
            com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(STATE)))
        .extracting(c -> c.getSimpleName())
        .contains("Applier", "SnapshotCodec", "Names", "Applied", "FlowsCommands", "FlowsDigest");
  }

  @Test
  void stateDependsOnNoTransportRatisIoOrTime() {
    ArchRule rule = noClasses().that().resideInAPackage(STATE)
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.grpc..", "org.apache.ratis..", "java.io..", "java.nio.file..", "java.nio.channels..",
            "java.net..", "java.time..", "java.util.concurrent..", "org.slf4j..")
        .because("apply must be deterministic: the same log gives the same state on every replica");
    rule.check(imported);
  }

  @Test
  void stateDependsOnlyOnItselfTheStateProtoProtobufAndTheJdkBasics() {
    classes().that().resideInAPackage(STATE)
        .should().onlyDependOnClassesThat(
            JavaClass.Predicates.resideInAnyPackage(
                    STATE, "io.tandem.proto.state..", "com.google.protobuf..", "java.lang..", "java.util..",
                    "java.nio")
                // SHA-256 of a flows revision (FlowsDigest): pure computation, same bytes, same digest.
                .or(JavaClass.Predicates.equivalentTo(java.security.MessageDigest.class))
                .or(JavaClass.Predicates.equivalentTo(java.security.NoSuchAlgorithmException.class))
                // JSON numbers of context increments (ContextNumbers): Jackson's pure number
                // reader and its JDK-independent shortest-digits writer, no parser, no I/O.
                .or(JavaClass.Predicates.equivalentTo(com.fasterxml.jackson.core.io.NumberInput.class))
                .or(JavaClass.Predicates.equivalentTo(com.fasterxml.jackson.core.io.NumberOutput.class))
                // scope names and sizes of context entries (shared with tandemctl): string checks only
                .or(JavaClass.Predicates.equivalentTo(io.tandem.common.context.ContextScopes.class)))
        .because("the state imports no other coordinator package (lease, ratis, grpc, server, cli)")
        .check(imported);
  }

  @Test
  void stateUsesNoClockAndNoRandomness() {
    noClasses().that().resideInAPackage(STATE)
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.UUID")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
        .check(imported);
  }

  @Test
  void leaseKeeperTakesTimeAsAValueAndKnowsNoTransport() {
    noClasses().that().resideInAPackage("io.tandem.coordinator.lease..")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().resideInAnyPackage("io.grpc..", "org.apache.ratis..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant")
        .check(imported);
  }
}
