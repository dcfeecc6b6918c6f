package io.tandem.coordinator.cli;

import io.tandem.proto.admin.RequestOutcomeResponse;
import io.tandem.proto.admin.SwitchoverRequest;
import io.tandem.proto.admin.SwitchoverResponse;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "switchover",
    description = {
      "Planned switchover: make another instance of GROUP the active one.",
      "The active instance stops its flows and confirms; then the new activation is",
      "committed (with a new fencing token) and the new active starts its flows."
    })
final class SwitchoverCommand extends CtlCommand {
  /** A coordinator gives up on a switchover this long after its wait timeout. */
  private static final Duration SERVER_SLACK = Duration.ofSeconds(2);

  @Parameters(index = "0", paramLabel = "GROUP")
  String group;

  @Option(names = "--to", paramLabel = "INSTANCE", description = "The new active instance (default: the best ready standby).")
  String to = "";

  @Option(
      names = "--wait-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long the coordinator waits for the active to stop and confirm (default: ${DEFAULT-VALUE}).")
  Duration waitTimeout;

  @Override
  int run(AdminClient client) {
    String requestId = AdminClient.newRequestId();
    SwitchoverRequest request =
        SwitchoverRequest.newBuilder()
            .setRequestId(requestId)
            .setGroup(group)
            .setToInstance(to)
            .setTimeoutMillis(waitTimeout.toMillis())
            .build();
    // One attempt may last the whole wait plus the server's 2 s of slack; a timed-out switchover
    // is not re-sent blindly: the leader is asked by request id what became of it.
    Duration perAttempt = waitTimeout.plus(SERVER_SLACK).plus(client.attemptTimeout());
    Duration overall = perAttempt.plus(root().timeout);
    SwitchoverResponse r;
    try {
      r = client.call(stub -> stub.switchover(request), perAttempt, overall, false);
    } catch (CtlException e) {
      if (!e.answerMissing()) {
        throw e;
      }
      RequestOutcomeResponse o =
          SwitchoverOutcome.await(client, requestId, group, waitTimeout.plus(SERVER_SLACK), e);
      r = o.getSwitchover();
      err().println("tandemctl: the answer did not arrive in time; the leader reports the"
          + " switchover (request id " + requestId + ") as done"
          + (o.getMessage().isEmpty() ? "" : ": " + o.getMessage()));
      err().flush();
    }
    if (json()) {
      var node = Json.object();
      node.put("group", group);
      node.put("from", r.getFromInstance());
      node.put("to", r.getToInstance());
      node.put("token", r.getToken());
      node.put("elapsedMillis", r.getElapsedMillis());
      Json.print(out(), node);
    } else {
      out().printf(
          "switched over group %s: %s -> %s, token %d%s%n",
          group,
          Text.orDash(r.getFromInstance()),
          Text.orDash(r.getToInstance()),
          r.getToken(),
          r.getElapsedMillis() > 0 ? ", took " + r.getElapsedMillis() + " ms" : "");
      out().flush();
    }
    return 0;
  }
}
