package io.tandem.coordinator.cli;

import io.tandem.proto.admin.HistoryRequest;
import io.tandem.proto.admin.HistoryResponse;
import io.tandem.proto.state.Transition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "history", description = "Show the recent transitions of a group, oldest first.")
final class HistoryCommand extends CtlCommand {
  @Parameters(index = "0", paramLabel = "GROUP")
  String group;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Show at most the N most recent (default: all that are kept).")
  int limit;

  @Override
  int run(AdminClient client) {
    if (limit < 0) {
      throw new ParameterException(spec.commandLine(), "--limit must be 0 (all) or more");
    }
    HistoryResponse r =
        client.readFromLeader(stub -> stub.history(HistoryRequest.newBuilder().setGroup(group).setLimit(limit).build()));
    if (json()) {
      var node = Json.object();
      node.put("group", group);
      var list = node.putArray("transitions");
      r.getTransitionsList().forEach(t -> list.add(Json.transition(null, t)));
      Json.print(out(), node);
      return 0;
    }
    Table t = new Table("INDEX", "TIME (UTC)", "KIND", "INSTANCE", "TOKEN", "REASON");
    for (Transition tr : r.getTransitionsList()) {
      t.row(tr.getIndex(), Text.time(tr.getAtUnixMillis()), Text.kind(tr.getKind()), Text.change(tr), tr.getToken(), tr.getReason());
    }
    if (t.size() == 0) {
      out().println("no transitions recorded for group " + group);
      out().flush();
    } else {
      t.print(out());
    }
    return 0;
  }
}
