package io.tandem.coordinator.cli;

import io.tandem.proto.admin.SetMaintenanceRequest;
import io.tandem.proto.admin.WriteResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "maintenance",
    description = "Pause (on) or resume (off) automatic failover of a group.",
    subcommands = {MaintenanceCommand.On.class, MaintenanceCommand.Off.class})
final class MaintenanceCommand {
  private MaintenanceCommand() {}

  static int set(CtlCommand cmd, AdminClient client, String group, boolean on) {
    SetMaintenanceRequest request =
        SetMaintenanceRequest.newBuilder()
            .setRequestId(AdminClient.newRequestId())
            .setGroup(group)
            .setOn(on)
            .build();
    WriteResponse w = client.call(stub -> stub.setMaintenance(request));
    if (cmd.json()) {
      Json.print(cmd.out(), Json.write("maintenance " + (on ? "on" : "off"), group, w).put("maintenance", on));
    } else {
      cmd.out().printf(
          "maintenance %s for group %s: automatic failover %s (log index %d)%n",
          on ? "on" : "off", group, on ? "paused" : "resumed", w.getIndex());
      cmd.out().flush();
    }
    return 0;
  }

  @Command(name = "on", description = "Pause automatic failover of GROUP (the active keeps running).")
  static final class On extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Override
    int run(AdminClient client) {
      return set(this, client, group, true);
    }
  }

  @Command(name = "off", description = "Resume automatic failover of GROUP.")
  static final class Off extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Override
    int run(AdminClient client) {
      return set(this, client, group, false);
    }
  }
}
