package io.tandem.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.proto.state.FlowsRevision;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  private static final FlowsRevision R57 = FlowsRevision.newBuilder().setRevision(57)
      .addModules("node-red@4.1.8").addModules("node-red-contrib-modbus@5.40.0")
      .setCredentialKeyDigest("k1").build();
  private static final List<String> ALL = List.of("node-red@4.1.8", "node-red-contrib-modbus@5.40.0", "extra@1.0.0");

  private static String problem(long current, FlowsRevision rev, RuntimeReport r) {
    return Readiness.problem("b", current, rev, r).orElse("");
  }

  @Test
  void aGroupWithoutRevisionsAsksNothing() {
    assertThat(problem(0, null, RuntimeReport.NONE)).isEmpty();
  }

  @Test
  void theCurrentRevisionMustBeLoaded() {
    assertThat(problem(57, R57, new RuntimeReport(41, ALL, "k1", "")))
        .isEqualTo("standby b has loaded revision 41, current is 57");
    assertThat(problem(57, R57, new RuntimeReport(0, ALL, "k1", "")))
        .isEqualTo("standby b has loaded no revision of the group, current is 57");
    assertThat(problem(57, R57, new RuntimeReport(57, ALL, "k1", ""))).isEmpty();
  }

  @Test
  void everyModuleOfTheRevisionMustBePresentAtThatVersion() {
    assertThat(problem(57, R57, new RuntimeReport(57, List.of("node-red@4.1.8"), "k1", "")))
        .isEqualTo("standby b lacks node module node-red-contrib-modbus@5.40.0");
    assertThat(problem(57, R57, new RuntimeReport(57, List.of("node-red-contrib-modbus@5.39.0"), "k1", "")))
        .isEqualTo("standby b lacks node modules node-red@4.1.8, node-red-contrib-modbus@5.40.0");
  }

  @Test
  void theCredentialSecretMustMatchWhenBothDigestsAreKnown() {
    assertThat(problem(57, R57, new RuntimeReport(57, ALL, "k2", ""))).isEqualTo(
        "standby b uses another credentialSecret than the revision (keyed digest differs); set the same"
            + " credentialSecret in settings.js on every instance");
    assertThat(problem(57, R57, new RuntimeReport(57, ALL, "", ""))).as("unknown on the standby").isEmpty();
    assertThat(problem(57, R57.toBuilder().setCredentialKeyDigest("").build(), new RuntimeReport(57, ALL, "k2", "")))
        .as("unknown in the revision").isEmpty();
  }

  @Test
  void theAgentsOwnDetailAndAnUnseenRevisionMakeItNotReady() {
    assertThat(problem(0, null, new RuntimeReport(0, List.of(), "", "userDir is read-only")))
        .isEqualTo("standby b reports: userDir is read-only");
    assertThat(problem(57, null, new RuntimeReport(57, ALL, "k1", "")))
        .isEqualTo("revision 57 is not yet applied on this coordinator");
  }
}
