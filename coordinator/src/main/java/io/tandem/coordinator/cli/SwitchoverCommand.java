package io.tandem.coordinator.cli;

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
    SwitchoverRequest request =
        SwitchoverRequest.newBuilder()
            .setRequestId(AdminClient.newRequestId())
            .setGroup(group)
            .setToInstance(to)
            .setTimeoutMillis(waitTimeout.toMillis())
            .build();
    // One attempt may last the whole wait; a timed-out switchover is not retried blindly.
    Duration perAttempt = waitTimeout.plus(client.attemptTimeout()).plusSeconds(1);
    Duration overall = perAttempt.plus(root().timeout);
    SwitchoverResponse r = client.call(stub -> stub.switchover(request), perAttempt, overall, false);
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
          "switched over group %s: %s -> %s, token %d, took %d ms%n",
          group,
          Text.orDash(r.getFromInstance()),
          Text.orDash(r.getToInstance()),
          r.getToken(),
          r.getElapsedMillis());
      out().flush();
    }
    return 0;
  }
}
