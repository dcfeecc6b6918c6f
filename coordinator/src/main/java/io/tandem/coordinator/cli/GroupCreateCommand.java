package io.tandem.coordinator.cli;

import io.tandem.proto.admin.CreateGroupRequest;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.InstanceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(
    name = "create",
    description = "Create a group of Node-RED instances (none is active until an agent is ready).")
final class GroupCreateCommand extends CtlCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "Group name: 1-64 of A-Z a-z 0-9 . _ -")
  String name;

  @Option(
      names = "--instance",
      paramLabel = "ID[:PRIORITY]",
      description = "An instance of the group (repeat the option); a higher priority is preferred for failover (default 0).")
  List<String> instances = new ArrayList<>();

  @Option(
      names = "--no-failover",
      paramLabel = "ID",
      description = "Never choose this instance automatically (a switchover --to may); repeatable.")
  List<String> noFailover = new ArrayList<>();

  @Override
  int run(AdminClient client) {
    CreateGroupRequest.Builder request =
        CreateGroupRequest.newBuilder().setRequestId(AdminClient.newRequestId()).setGroup(name);
    request.addAllInstances(specs().values());
    CreateGroupRequest built = request.build();
    WriteResponse w = client.call(stub -> stub.createGroup(built));
    if (json()) {
      Json.print(out(), Json.write("group create", name, w));
    } else {
      out().printf(
          "created group %s with %d instance(s) (log index %d)%n",
          name, built.getInstancesCount(), w.getIndex());
      out().flush();
    }
    return 0;
  }

  private Map<String, InstanceSpec> specs() {
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
    int colon = raw.lastIndexOf(':');
    String id = colon < 0 ? raw : raw.substring(0, colon);
    if (id.isEmpty()) {
      throw usage("--instance \"" + raw + "\": the id is empty (expected ID[:PRIORITY])");
    }
    InstanceSpec.Builder b = InstanceSpec.newBuilder().setId(id);
    if (colon >= 0) {
      try {
        b.setPriority(Integer.parseInt(raw.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw usage("--instance \"" + raw + "\": the priority is not a whole number (expected ID[:PRIORITY])");
      }
    }
    return b;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
