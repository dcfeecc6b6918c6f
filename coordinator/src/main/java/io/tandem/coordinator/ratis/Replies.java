package io.tandem.coordinator.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.proto.state.CommandResult;
import io.tandem.proto.state.Group;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.server.RaftServer;

/** Sends requests to the local Raft server and turns its replies into values or exceptions. */
final class Replies {
  private Replies() {}

  static CompletableFuture<RaftClientReply> send(RaftServer server, RaftClientRequest request) {
    CompletableFuture<RaftClientReply> f;
    try {
      f = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return f.thenApply(Replies::checked);
  }

  static RaftClientReply checked(RaftClientReply reply) {
    if (reply.isSuccess()) {
      return reply;
    }
    NotLeaderException nle = reply.getNotLeaderException();
    if (nle != null) {
      throw new NotLeader(
          Optional.ofNullable(nle.getSuggestedLeader()).map(p -> p.getId().toString()));
    }
    RaftException e = reply.getException();
    if (e instanceof LeaderNotReadyException || e instanceof LeaderSteppingDownException) {
      throw new NotLeader(Optional.empty());
    }
    throw new CompletionException(
        e != null ? e : new IOException("raft request failed: " + reply));
  }

  static CommandResult commandResult(RaftClientReply reply) {
    try {
      return CommandResult.parseFrom(reply.getMessage().getContent().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      throw new CompletionException(e);
    }
  }

  static Optional<Group> group(RaftClientReply reply) {
    var content = reply.getMessage().getContent();
    if (content.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Group.parseFrom(content.toByteArray()));
    } catch (InvalidProtocolBufferException e) {
      throw new CompletionException(e);
    }
  }
}
