package io.tandem.coordinator.cli;

import io.tandem.proto.admin.AddMemberRequest;
import io.tandem.proto.admin.MembersResponse;
import io.tandem.proto.admin.PeerInfo;
import io.tandem.proto.admin.RemoveMemberRequest;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "members",
    description = "List, add or remove coordinators (a Raft configuration change on the leader).",
    subcommands = {MembersCommand.ListMembers.class, MembersCommand.Add.class, MembersCommand.Remove.class})
final class MembersCommand {
  /**
   * One attempt of a change may take as long as an add's steps on the leader: a liveness check
   * (up to 3 s), the new coordinator's catch-up as a Raft listener (Ratis gives up after 20 s
   * without an answer from it), its last catch-up (up to 5 s), a second liveness check (up to
   * 3 s) and the promotion or the listener's removal; a change is not retried after a timeout (it
   * may have been applied: check with members list).
   */
  static final Duration CHANGE_ATTEMPT = Duration.ofSeconds(35);
  static final Duration CHANGE_OVERALL = Duration.ofSeconds(50);

  private MembersCommand() {}

  static void print(CtlCommand cmd, String what, List<PeerInfo> members) {
    if (cmd.json()) {
      var n = Json.object();
      if (!what.isEmpty()) {
        n.put("command", what);
      }
      Json.peers(n.putArray("members"), members);
      Json.print(cmd.out(), n);
      return;
    }
    if (!what.isEmpty()) {
      cmd.out().printf("%s: done; the coordinators are now:%n", what);
    }
    Table t = new Table("ID", "ROLE", "GRPC", "RAFT");
    members.forEach(p -> t.row(p.getId(), p.getRole(), p.getGrpcAddress(), p.getRaftAddress()));
    t.print(cmd.out());
    cmd.out().flush();
  }

  static MembersResponse change(AdminClient client, java.util.function.Function<
      io.tandem.proto.admin.AdminServiceGrpc.AdminServiceBlockingStub, MembersResponse> call) {
    return client.call(call, CHANGE_ATTEMPT, CHANGE_OVERALL, false);
  }

  @Command(name = "list", description = "The coordinators of the cluster's Raft configuration.")
  static final class ListMembers extends CtlCommand {
    @Override
    int run(AdminClient client) {
      print(this, "", client.statusFromLeader().getPeersList());
      return 0;
    }
  }

  @Command(name = "add", description = "Add coordinator ID (start it first, with an empty data dir"
      + " and the new peer list in its config); refused if the majority is not reachable.")
  static final class Add extends CtlCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "RAFT_ADDR", description = "host:port its peers reach it on")
    String raft;

    @Parameters(index = "2", paramLabel = "GRPC_ADDR", description = "host:port agents and tandemctl reach it on")
    String grpc;

    @Override
    int run(AdminClient client) {
      AddMemberRequest req = AddMemberRequest.newBuilder()
          .setId(id).setRaftAddress(raft).setGrpcAddress(grpc).build();
      print(this, "members add " + id, change(client, stub -> stub.addMember(req)).getMembersList());
      return 0;
    }
  }

  @Command(name = "remove", description = "Remove coordinator ID; refused if the rest could not"
      + " reach a majority with the coordinators the leader hears from.")
  static final class Remove extends CtlCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    int run(AdminClient client) {
      RemoveMemberRequest req = RemoveMemberRequest.newBuilder().setId(id).build();
      print(this, "members remove " + id, change(client, stub -> stub.removeMember(req)).getMembersList());
      return 0;
    }
  }
}
