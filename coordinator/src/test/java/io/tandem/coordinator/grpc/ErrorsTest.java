package io.tandem.coordinator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tandem.client.CoordinatorEndpoints;
import io.tandem.coordinator.config.CoordinatorConfig;
import io.tandem.coordinator.config.HostPort;
import io.tandem.coordinator.config.LeaseSettings;
import io.tandem.coordinator.config.PeerConfig;
import io.tandem.coordinator.ratis.NotLeader;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  private static final Errors ERRORS = new Errors(new CoordinatorConfig("c1", "t", Path.of("/tmp/x"),
      List.of(new PeerConfig("c1", new HostPort("127.0.0.1", 7201), new HostPort("127.0.0.1", 7101)),
          new PeerConfig("c2", new HostPort("127.0.0.1", 7202), new HostPort("127.0.0.1", 7102))),
      Optional.empty(), LeaseSettings.DEFAULTS, Duration.ofSeconds(10)));

  @ParameterizedTest
  @CsvSource({
    "INVALID, INVALID_ARGUMENT",
    "NOT_FOUND, NOT_FOUND",
    "ALREADY_EXISTS, ALREADY_EXISTS",
    "STALE_TOKEN, ABORTED",
    "FAILED_PRECONDITION, FAILED_PRECONDITION",
  })
  void everyRefusalHasItsStatusCodeAndKeepsTheMessage(Outcome outcome, Status.Code code) {
    StatusRuntimeException e = Errors.outcome(CommandResult.newBuilder()
        .setOutcome(outcome).setMessage("why it was refused").build());
    assertThat(e.getStatus().getCode()).isEqualTo(code);
    assertThat(e.getStatus().getDescription()).contains("why it was refused");
  }

  @Test
  void notLeaderNamesTheLeadersGrpcAddressInTheTrailer() {
    StatusRuntimeException e = ERRORS.of(new CompletionException(new NotLeader(Optional.of("c2"))));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(CoordinatorEndpoints.leaderHint(e)).contains("127.0.0.1:7102");
    assertThat(e.getStatus().getDescription()).contains("c2 at 127.0.0.1:7102");
  }

  @Test
  void noKnownLeaderMeansUnavailableWithoutAHint() {
    StatusRuntimeException none = ERRORS.of(new NotLeader(Optional.empty()));
    assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(CoordinatorEndpoints.leaderHint(none)).isEmpty();
    StatusRuntimeException stranger = ERRORS.of(new NotLeader(Optional.of("c9")));
    assertThat(CoordinatorEndpoints.leaderHint(stranger)).isEmpty();
  }

  @Test
  void exceptionsMapByKind() {
    assertThat(ERRORS.of(new IllegalArgumentException("bad")).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(ERRORS.of(new CompletionException(new TimeoutException("slow"))).getStatus().getCode())
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(ERRORS.of(new IllegalStateException("moved")).getStatus().getCode())
        .isEqualTo(Status.Code.ABORTED);
    assertThat(ERRORS.of(new IOException("disk")).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    StatusRuntimeException given = Status.NOT_FOUND.asRuntimeException();
    assertThat(ERRORS.of(new CompletionException(given))).isSameAs(given);
  }

  @Test
  void refusedDeploysSayWhoIsActiveOrWhatTheyConflictedWith() {
    CommandResult.Builder r = CommandResult.newBuilder().setOutcome(Outcome.STALE_TOKEN).setGroup("g")
        .setActive("b").setToken(40).setRevision(57);
    StatusRuntimeException standby = Errors.flowsRefused("a", 40, 57, r.build(), Optional.empty());
    assertThat(standby.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(standby.getStatus().getDescription()).isEqualTo("this instance (a) is the standby; the active is b");

    StatusRuntimeException none = Errors.flowsRefused("a", 40, 57, r.clone().setActive("").build(), Optional.empty());
    assertThat(none.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(none.getStatus().getDescription()).contains("has no active instance");

    StatusRuntimeException stale = Errors.flowsRefused("b", 30, 57, r.build(), Optional.empty());
    assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(stale.getStatus().getDescription()).startsWith("stale token: this instance (b) sent token 30");

    io.tandem.proto.state.FlowsRevision current = io.tandem.proto.state.FlowsRevision.newBuilder()
        .setRevision(57).setDeployedBy("b/admin").setAtUnixMillis(1_795_559_416_697L).build();
    StatusRuntimeException conflict = Errors.flowsRefused("b", 40, 41, r.build(), Optional.of(current));
    assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(conflict.getStatus().getDescription()).isEqualTo("revision conflict: you deployed on top of revision 41"
        + " but the current revision is 57 (deployed by b/admin at 2026-11-24T22:30:16Z); reload the editor and deploy again");

    StatusRuntimeException other = Errors.flowsRefused("b", 40, 41,
        r.clone().setOutcome(Outcome.NOT_FOUND).setMessage("group \"g\" does not exist").build(), Optional.empty());
    assertThat(other.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }
}
