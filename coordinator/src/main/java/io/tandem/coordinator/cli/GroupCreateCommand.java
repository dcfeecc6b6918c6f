package io.tandem.coordinator.cli;

import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.GroupMode;
import io.tandem.proto.state.InstanceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(
    name = "create",
    description = "Create a group of Node-RED instances (none is active until an agent is ready).")
final class GroupCreateCommand extends CtlCommand {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  @Parameters(index = "0", paramLabel = "NAME", description = "Group name: 1-64 of A-Z a-z 0-9 . _ -")
  String name;

  @Option(
      names = "--instance",
      paramLabel = "ID[:PRIORITY]",
      description = {
        "An instance of the group (required; repeat the option for each one); a higher priority",
        "is preferred for failover (" + Priorities.RANGE + ", default 0)."
      })
  List<String> instances = new ArrayList<>();

  @Option(
      names = "--no-failover",
      paramLabel = "ID",
      description = "Never choose this instance automatically (a switchover --to may); repeatable.")
  List<String> noFailover = new ArrayList<>();

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "active-standby",
      description = {
        "active-standby (default): one instance runs the flows, the others stand by and take over.",
        "all-active: every ready instance runs the flows (load-balanced copies); singleton work is",
        "guarded by locks (tandem leader nodes). Fixed at creation."
      })
  String mode = "active-standby";

  @Override
  int run(AdminClient client) {
    GroupMode m = switch (mode) {
      case "active-standby" -> GroupMode.ACTIVE_STANDBY;
      case "all-active" -> GroupMode.ALL_ACTIVE;
      default -> throw usage("--mode \"" + mode + "\": expected active-standby or all-active");
    };
    CreateGroupRequest.Builder request =
        CreateGroupRequest.newBuilder().setRequestId(AdminClient.newRequestId()).setGroup(name).setMode(m);
    request.addAllInstances(specs().values());
    CreateGroupRequest built = request.build();
    WriteResponse w = client.call(stub -> stub.createGroup(built));
    if (json()) {
      Json.print(out(), Json.write("group create", name, w));
    } else {
      out().printf(
          "created group %s with %d instance(s) (log index %d)%s%n",
          name, built.getInstancesCount(), w.getIndex(), m == GroupMode.ALL_ACTIVE ? ", mode all-active" : "");
      out().flush();
    }
    return 0;
  }

  private Map<String, InstanceSpec> specs() {
    if (instances.isEmpty()) {
      throw usage("group create " + name + ": give at least one --instance ID[:PRIORITY] (e.g."
          + " --instance nr-a:2 --instance nr-b:1): a group without instances can never run flows;"
          + " more can be added later with tandemctl instance add");
    }
    Map<String, InstanceSpec.Builder> byId = new LinkedHashMap<>();
    for (String raw : instances) {
      InstanceSpec.Builder b = parseInstance(raw);
      if (byId.put(b.getId(), b) != null) {
        throw usage("instance \"" + b.getId() + "\" is given twice");
      }
    }
    for (String id : noFailover) {
      InstanceSpec.Builder b = byId.get(id);
      if (b == null) {
        throw usage("--no-failover " + id + ": not one of the --instance ids " + byId.keySet());
      }
      b.setNoFailover(true);
    }
    Map<String, InstanceSpec> specs = new LinkedHashMap<>();
    byId.forEach((id, b) -> specs.put(id, b.build()));
    return specs;
  }

  private InstanceSpec.Builder parseInstance(String raw) {
    String[] parts = raw.split(":", -1);
    if (parts.length > 2) {
      throw usage("--instance \"" + raw + "\": expected ID[:PRIORITY] with at most one ':'");
    }
    String id = parts[0];
    if (id.isEmpty()) {
      throw usage("--instance \"" + raw + "\": the id is empty (expected ID[:PRIORITY])");
    }
    if (!ID.matcher(id).matches()) {
      throw usage("--instance \"" + raw + "\": the id \"" + id + "\" may only contain 1-64 of A-Z a-z 0-9 . _ -");
    }
    InstanceSpec.Builder b = InstanceSpec.newBuilder().setId(id);
    if (parts.length == 2) {
      try {
        b.setPriority(Priorities.parse(parts[1]));
      } catch (IllegalArgumentException e) {
        throw usage("--instance \"" + raw + "\": " + e.getMessage());
      }
    }
    return b;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
