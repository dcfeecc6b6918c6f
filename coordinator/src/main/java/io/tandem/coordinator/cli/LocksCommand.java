package io.tandem.coordinator.cli;

import io.tandem.proto.admin.GetGroupRequest;
import io.tandem.proto.admin.GroupView;
import io.tandem.proto.admin.LockView;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "locks",
    description = {
      "List the locks of an all-active group: key, holder, token, for how long it is held and",
      "which instances want it (wanted by is known on the leader only). A key nobody holds shows",
      "holder '-'. In an active-standby group the active holds every key and no lock is listed."})
final class LocksCommand extends CtlCommand {
  @Parameters(index = "0", paramLabel = "GROUP")
  String group;

  @Override
  int run(AdminClient client) {
    GroupView g = client.readFromLeader(stub -> stub.getGroup(GetGroupRequest.newBuilder().setGroup(group).build()));
    if (json()) {
      var o = Json.object();
      o.put("group", g.getName());
      o.put("mode", Text.mode(g.getMode()));
      var locks = o.putArray("locks");
      g.getLocksList().forEach(l -> locks.add(Json.lock(l)));
      Json.print(out(), o);
      return 0;
    }
    PrintWriter out = out();
    if (!"all-active".equals(g.getMode())) {
      out.printf("group %s is %s: its active (%s) holds every lock key under token %d; no lock is committed%n",
          g.getName(), Text.mode(g.getMode()), Text.orDash(g.getActive()), g.getToken());
      out.flush();
      return 0;
    }
    if (g.getLocksCount() == 0) {
      out.printf("group %s has no locks yet (a tandem leader node asks for one when its flow starts)%n", g.getName());
      out.flush();
      return 0;
    }
    Table t = new Table("KEY", "HOLDER", "TOKEN", "HELD FOR", "WANTED BY");
    for (LockView l : g.getLocksList()) {
      t.row(l.getKey(), l.getHolder(), l.getToken() > 0 ? l.getToken() : "-", Text.millis(l.getHeldForMillis()),
          String.join(",", l.getWantedByList()));
    }
    t.print(out);
    return 0;
  }
}
