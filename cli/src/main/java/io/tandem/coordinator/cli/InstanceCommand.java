package io.tandem.coordinator.cli;

import io.tandem.proto.admin.AddInstanceRequest;
import io.tandem.proto.admin.RemoveInstanceRequest;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.InstanceSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(
    name = "instance",
    description = "Add an instance to a group or remove one.",
    subcommands = {InstanceCommand.Add.class, InstanceCommand.Remove.class})
final class InstanceCommand {
  private InstanceCommand() {}

  @Command(name = "add", description = "Add a Node-RED instance to a group (it starts as a standby).")
  static final class Add extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Parameters(index = "1", paramLabel = "ID", description = "Instance id: 1-64 of A-Z a-z 0-9 . _ -")
    String id;

    @Option(names = "--priority", paramLabel = "N", description = "Higher is preferred for failover (" + Priorities.RANGE + ", default: ${DEFAULT-VALUE}).", defaultValue = "0")
    String priority;

    @Option(names = "--host", paramLabel = "H", description = "Where its agent runs (informational).")
    String host = "";

    @Option(names = "--no-failover", description = "Never choose it automatically (a switchover --to may).")
    boolean noFailover;

    @Override
    int run(AdminClient client) {
      int prio;
      try {
        prio = Priorities.parse(priority);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--priority: " + e.getMessage());
      }
      AddInstanceRequest request =
          AddInstanceRequest.newBuilder()
              .setRequestId(AdminClient.newRequestId())
              .setGroup(group)
              .setInstance(
                  InstanceSpec.newBuilder()
                      .setId(id)
                      .setHost(host)
                      .setPriority(prio)
                      .setNoFailover(noFailover))
              .build();
      WriteResponse w = client.call(stub -> stub.addInstance(request));
      if (json()) {
        Json.print(out(), Json.write("instance add", group, w).put("instance", id));
      } else {
        out().printf("added instance %s to group %s (log index %d)%n", id, group, w.getIndex());
        out().flush();
      }
      return 0;
    }
  }

  @Command(name = "remove", description = "Remove an instance from a group (refused while it is the active one).")
  static final class Remove extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Override
    int run(AdminClient client) {
      RemoveInstanceRequest request =
          RemoveInstanceRequest.newBuilder()
              .setRequestId(AdminClient.newRequestId())
              .setGroup(group)
              .setInstance(id)
              .build();
      WriteResponse w = client.call(stub -> stub.removeInstance(request));
      if (json()) {
        Json.print(out(), Json.write("instance remove", group, w).put("instance", id));
      } else {
        out().printf("removed instance %s from group %s (log index %d)%n", id, group, w.getIndex());
        out().flush();
      }
      return 0;
    }
  }
}
