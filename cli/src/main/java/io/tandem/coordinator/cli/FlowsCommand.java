package io.tandem.coordinator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.tandem.proto.admin.AdminServiceGrpc.AdminServiceBlockingStub;
import io.tandem.proto.admin.ExportFlowsRequest;
import io.tandem.proto.admin.FlowsHistoryRequest;
import io.tandem.proto.admin.FlowsHistoryResponse;
import io.tandem.proto.admin.ImportFlowsRequest;
import io.tandem.proto.admin.RollbackFlowsRequest;
import io.tandem.proto.admin.WriteResponse;
import io.tandem.proto.state.FlowsRevision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(
    name = "flows",
    description = "The group's flows revisions: history, export, import and rollback.",
    subcommands = {
      FlowsCommand.History.class,
      FlowsCommand.Export.class,
      FlowsCommand.Import.class,
      FlowsCommand.Rollback.class
    })
final class FlowsCommand {
  /** A file that cannot be read or written is bad usage (exit code 2, as other usage errors). */
  private static final int USAGE = CtlException.UNREACHABLE;
  /** A flows document may be 16 MB: give one attempt time to carry it. */
  private static final Duration LARGE_ATTEMPT = Duration.ofSeconds(30);

  private FlowsCommand() {}

  private static Duration atLeast(Duration d, Duration min) {
    return d.compareTo(min) < 0 ? min : d;
  }

  /** Calls for large messages: one attempt may take up to 30 s, the whole call at least as long. */
  private static <T> T large(CtlCommand c, AdminClient client, Function<AdminServiceBlockingStub, T> call) {
    Duration attempt = atLeast(c.root().attemptTimeout, LARGE_ATTEMPT);
    return client.call(call, attempt, atLeast(c.root().timeout, attempt), true);
  }

  @Command(name = "history", description = "The kept revisions of a group, oldest first (the last is current).")
  static final class History extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Override
    int run(AdminClient client) {
      FlowsHistoryResponse r = client.readFromLeader(
          stub -> stub.flowsHistory(FlowsHistoryRequest.newBuilder().setGroup(group).build()));
      if (json()) {
        var node = Json.object();
        node.put("group", group);
        node.put("currentRevision", r.getCurrentRevision());
        var list = node.putArray("revisions");
        r.getRevisionsList().forEach(x -> list.add(Json.revision(x)));
        Json.print(out(), node);
        return 0;
      }
      if (r.getRevisionsCount() == 0) {
        out().println("group " + group + " has no flows revision yet (tandemctl flows import " + group
            + " flows.json)");
        out().flush();
        return 0;
      }
      Table t = new Table("REVISION", "TIME (UTC)", "DEPLOYED BY", "SIZE", "DIGEST", "NOTE");
      for (FlowsRevision x : r.getRevisionsList()) {
        String note = x.getRevision() == r.getCurrentRevision() ? "current" : "";
        if (x.getRollbackOf() > 0) {
          note = (note.isEmpty() ? "" : note + ", ") + "rollback to " + x.getRollbackOf();
        }
        t.row(x.getRevision(), Text.time(x.getAtUnixMillis()), x.getDeployedBy(), x.getSizeBytes(), x.getDigest(), note);
      }
      t.print(out());
      return 0;
    }
  }

  @Command(name = "export", description = {
      "Write a revision's flows JSON to standard output, exactly as deployed",
      "(e.g. tandemctl flows export line1 > flows.json)."})
  static final class Export extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Option(names = "--revision", paramLabel = "N", defaultValue = "0", description = "The revision (default: the current one).")
    long revision;

    @Option(names = "--credentials", paramLabel = "FILE", description = "Also write the credentials (encrypted, as Node-RED wrote them) to FILE.")
    Path credentials;

    @Override
    int run(AdminClient client) {
      if (revision < 0) {
        throw new ParameterException(spec.commandLine(), "--revision must be a revision number (0: the current one)");
      }
      FlowsRevision r = large(this, client,
          stub -> stub.exportFlows(ExportFlowsRequest.newBuilder().setGroup(group).setRevision(revision).build()));
      if (credentials != null) {
        write(credentials, r.getCredentials());
      }
      if (json()) {
        var node = Json.revision(r);
        node.put("group", group);
        try {
          node.set("flows", new ObjectMapper().readTree(r.getFlows().toStringUtf8()));
        } catch (IOException e) {
          throw new CtlException(CtlException.REFUSED, "revision " + r.getRevision() + " is not valid JSON: " + e.getMessage());
        }
        Json.print(out(), node);
      } else {
        out().print(r.getFlows().toStringUtf8());
        out().flush();
      }
      return 0;
    }

    private static void write(Path file, ByteString bytes) {
      try {
        Files.write(file, bytes.toByteArray());
      } catch (IOException e) {
        throw new CtlException(USAGE, "cannot write " + file + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "import", description = {
      "Commit a flows file (and its credentials) as the group's new revision; the active loads it.",
      "Refused if the group already has a revision, unless --force."})
  static final class Import extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Parameters(index = "1", paramLabel = "FLOWS.json")
    Path flows;

    @Option(names = "--credentials", paramLabel = "FILE", description = "The credentials file beside it (flows_cred.json, as Node-RED wrote it).")
    Path credentials;

    @Option(names = "--force", description = "Commit on top of the current revision, whatever it is.")
    boolean force;

    @Override
    int run(AdminClient client) {
      ImportFlowsRequest req = ImportFlowsRequest.newBuilder()
          .setRequestId(AdminClient.newRequestId())
          .setGroup(group)
          .setFlows(read(flows))
          .setCredentials(credentials == null ? ByteString.EMPTY : read(credentials))
          .setExpectedRevision(force ? -1 : 0)
          .setDeployedBy("tandemctl import")
          .build();
      WriteResponse w = large(this, client, stub -> stub.importFlows(req));
      if (json()) {
        var node = Json.write("flows import", group, w);
        node.put("revision", w.getIndex());
        Json.print(out(), node);
      } else {
        out().printf("group %s: %s imported as revision %d%n", group, flows, w.getIndex());
        out().flush();
      }
      return 0;
    }

    private static ByteString read(Path file) {
      try {
        return ByteString.copyFrom(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new CtlException(USAGE, "cannot read " + file + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "rollback", description = "Commit revision N's content again as a new revision; the active loads it.")
  static final class Rollback extends CtlCommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Option(names = "--to", paramLabel = "N", required = true, description = "The revision to go back to (see flows history).")
    long to;

    @Override
    int run(AdminClient client) {
      if (to <= 0) {
        throw new ParameterException(spec.commandLine(), "--to must be a revision number (see tandemctl flows history)");
      }
      RollbackFlowsRequest req = RollbackFlowsRequest.newBuilder()
          .setRequestId(AdminClient.newRequestId()).setGroup(group).setToRevision(to).build();
      WriteResponse w = large(this, client, stub -> stub.rollbackFlows(req));
      if (json()) {
        var node = Json.write("flows rollback", group, w);
        node.put("revision", w.getIndex());
        node.put("rollbackOf", to);
        Json.print(out(), node);
      } else {
        out().printf("group %s: revision %d re-commits revision %d%n", group, w.getIndex(), to);
        out().flush();
      }
      return 0;
    }
  }
}
