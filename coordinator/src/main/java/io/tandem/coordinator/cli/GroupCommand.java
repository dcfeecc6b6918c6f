package io.tandem.coordinator.cli;

import io.tandem.proto.admin.DeleteGroupRequest;
import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.InstanceView;
import io.tandem.proto.admin.ListGroupsRequest;
import io.tandem.proto.admin.ListGroupsResponse;
import io.tandem.proto.admin.WriteResponse;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "group",
    description = "Create, delete, list and show groups of Node-RED instances.",
    subcommands = {
      GroupCreateCommand.class,
      GroupCommand.Delete.class,
      GroupCommand.ListGroups.class,
      GroupCommand.Show.class
    })
final class GroupCommand {
  private GroupCommand() {}

  static Table groupTable(List<GroupView> groups) {
    Table t = new Table("GROUP", "ACTIVE", "TOKEN", "REVISION", "MAINTENANCE", "LEASE LEFT", "READY STANDBYS", "INSTANCES",
        "MODE", "LOCKS");
    for (GroupView g : groups) {
      t.row(
          g.getName(),
          g.getActive(),
          g.getToken(),
          g.getCurrentRevision() > 0 ? g.getCurrentRevision() : "-",
          Text.yesNo(g.getMaintenance()),
          Text.millis(g.getLeaseLeftMillis()),
          g.getStandbysReady(),
          g.getInstancesCount(),
          Text.mode(g.getMode()),
          Text.locks(g));
    }
    return t;
  }

  static void printGroup(PrintWriter out, GroupView g) {
    out.printf(
        "group %s  %sactive %s  token %d  maintenance %s  lease left %s  flows revision %s%n%n",
        g.getName(),
        "all-active".equals(g.getMode()) ? "mode all-active  " : "",
        Text.orDash(g.getActive()),
        g.getToken(),
        Text.yesNo(g.getMaintenance()),
        Text.millis(g.getLeaseLeftMillis()),
        g.getCurrentRevision() > 0 ? g.getCurrentRevision() : "-");
    Table t = new Table("INSTANCE", "HOST", "PRIORITY", "FAILOVER", "RUNTIME", "READY", "REVISION", "HEARTBEAT AGE",
        "FENCED TOKEN");
    for (InstanceView i : g.getInstancesList()) {
      t.row(
          i.getId() + (i.getId().equals(g.getActive()) ? " *" : ""),
          i.getHost(),
          i.getPriority(),
          i.getNoFailover() ? "no" : "yes",
          i.getRuntime(),
          Text.yesNo(i.getReady()),
          i.getLoadedRevision() > 0 ? i.getLoadedRevision() : "-",
          i.getHeartbeatAgeMillis() < 0 ? "never" : Text.millis(i.getHeartbeatAgeMillis()),
          i.getFencedToken() > 0 ? i.getFencedToken() : "-");
    }
    t.print(out);
    out.println("(* = active)");
    printNotReady(out, g);
    out.flush();
  }

  /**
   * Whether the group has been without a ready standby, and for how long; then one line per
   * standby that is not ready, saying why (from the leader).
   */
  static void printNotReady(PrintWriter out, GroupView g) {
    if (g.getWithoutReadyStandbyMillis() > 0) {
      out.printf("%s has had no ready standby for %s: if its active fails, no instance takes over%n",
          g.getName(), Text.millis(g.getWithoutReadyStandbyMillis()));
    }
    for (InstanceView i : g.getInstancesList()) {
      if (!i.getId().equals(g.getActive()) && !i.getNotReadyReason().isEmpty()) {
        out.printf("%s/%s not ready: %s%n", g.getName(), i.getId(), i.getNotReadyReason());
      }
    }
  }

  @Command(name = "delete", description = "Delete a group (its agents stop their flows).")
  static final class Delete extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Override
    int run(AdminClient client) {
      String requestId = AdminClient.newRequestId();
      WriteResponse w =
          client.call(
              stub ->
                  stub.deleteGroup(
                      DeleteGroupRequest.newBuilder().setRequestId(requestId).setGroup(group).build()));
      if (json()) {
        Json.print(out(), Json.write("group delete", group, w));
      } else {
        out().printf("deleted group %s (log index %d)%n", group, w.getIndex());
        out().flush();
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List every group with its active instance and token.")
  static final class ListGroups extends CtlCommand {
    @Override
    int run(AdminClient client) {
      ListGroupsResponse r = client.readFromLeader(stub -> stub.listGroups(ListGroupsRequest.getDefaultInstance()));
      if (json()) {
        var node = Json.object();
        Json.groups(node.putArray("groups"), r.getGroupsList());
        Json.print(out(), node);
      } else if (r.getGroupsCount() == 0) {
        out().println("no groups");
        out().flush();
      } else {
        groupTable(r.getGroupsList()).print(out());
      }
      return 0;
    }
  }

  @Command(name = "show", description = "Show one group: assignment, lease and instances.")
  static final class Show extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Override
    int run(AdminClient client) {
      GroupView g = client.readFromLeader(stub -> stub.getGroup(GetGroupRequest.newBuilder().setGroup(group).build()));
      if (json()) {
        Json.print(out(), Json.group(g));
      } else {
        printGroup(out(), g);
      }
      return 0;
    }
  }
}
