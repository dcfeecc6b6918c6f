package io.tandem.coordinator.cli;

import io.tandem.common.context.ContextScopes;
import io.tandem.proto.admin.ContextKeyView;
import io.tandem.proto.admin.ListContextRequest;
import io.tandem.proto.admin.ListContextResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "context", description = {
    "List the keys of a group's committed Node-RED context (the tandem store) and their sizes.",
    "Sizes are key + value bytes, as the limits count them."})
final class ContextCommand extends CtlCommand {
  @Parameters(index = "0", paramLabel = "GROUP")
  String group;

  @Option(names = "--scope", paramLabel = "SCOPE", description = "Only this scope: global, flow:ID or node:ID.")
  String scope;

  @Override
  int run(AdminClient client) {
    if (scope != null) {
      ContextScopes.scopeProblem(scope).ifPresent(p -> {
        throw new ParameterException(spec.commandLine(), "--scope: " + p);
      });
    }
    ListContextRequest req = ListContextRequest.newBuilder().setGroup(group).setScope(scope == null ? "" : scope).build();
    ListContextResponse r = client.readFromLeader(stub -> stub.listContext(req));
    if (json()) {
      var node = Json.object();
      node.put("group", group);
      node.put("scope", scope == null ? "" : scope);
      node.put("version", r.getVersion());
      node.put("totalBytes", r.getTotalBytes());
      node.put("maxGroupBytes", r.getMaxGroupBytes());
      var keys = node.putArray("keys");
      for (ContextKeyView k : r.getKeysList()) {
        var o = keys.addObject();
        o.put("scope", k.getScope());
        o.put("key", k.getKey());
        o.put("sizeBytes", k.getSizeBytes());
      }
      Json.print(out(), node);
      return 0;
    }
    String where = scope == null ? "" : " in scope " + scope;
    if (r.getKeysCount() == 0) {
      out().println(r.getVersion() == 0 && r.getTotalBytes() == 0 ? "group " + group + " has no context yet"
          : "group " + group + " has no context keys" + where);
    } else {
      Table t = new Table("SCOPE", "KEY", "SIZE");
      long sum = 0;
      for (ContextKeyView k : r.getKeysList()) {
        t.row(k.getScope(), k.getKey(), ContextScopes.size(k.getSizeBytes()));
        sum += k.getSizeBytes();
      }
      t.print(out());
      if (scope != null) {
        out().println(r.getKeysCount() + (r.getKeysCount() == 1 ? " key, " : " keys, ") + ContextScopes.size(sum) + where);
      }
    }
    out().println("context version " + r.getVersion() + ": " + ContextScopes.size(r.getTotalBytes()) + " of "
        + ContextScopes.size(r.getMaxGroupBytes()) + " (context.maxGroupBytes) used");
    out().flush();
    return 0;
  }
}
