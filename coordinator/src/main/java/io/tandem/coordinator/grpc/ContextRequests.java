package io.tandem.coordinator.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.ByteString;
import io.tandem.coordinator.state.ContextOps;
import io.tandem.proto.agent.WriteContextRequest;
import io.tandem.proto.state.ContextOp;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Checks of a WriteContext before it reaches the log (INVALID_ARGUMENT, naming the op): every
 * op well formed (kind, scope global/flow:ID/node:ID, key), its values exactly one JSON value
 * each, and the whole request at most {@link #MAX_WRITE_BYTES}, so that its log entry stays
 * within the entry limit. Limits of values and of the group are the state machine's (they fail
 * one op, not the request).
 */
final class ContextRequests {
  /** Largest WriteContext: one log entry carries it (Ratis entries are bounded at 24 MB). */
  static final int MAX_WRITE_BYTES = 16 * 1024 * 1024;
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_WRITE_BYTES).build())
      .build();

  private ContextRequests() {}

  static void write(WriteContextRequest req) {
    int size = req.getSerializedSize();
    if (size > MAX_WRITE_BYTES) {
      throw Errors.invalid("the context write is " + ContextOps.size(size) + " (" + req.getOpsCount()
          + " ops), over the limit of " + ContextOps.size(MAX_WRITE_BYTES) + " for one WriteContext: send"
          + " fewer ops per write");
    }
    for (int i = 0; i < req.getOpsCount(); i++) {
      op(i, req.getOps(i));
    }
  }

  static void scope(String field, String scope) {
    ContextOps.scopeProblem(scope).ifPresent(p -> {
      throw Errors.invalid(field + ": " + p);
    });
  }

  private static void op(int i, ContextOp op) {
    String at = "ops[" + i + "]";
    Optional<String> bad = ContextOps.problem(op);
    if (bad.isPresent()) {
      throw Errors.invalid(at + ": " + bad.get());
    }
    switch (op.getKind()) {
      case SET -> json(at, "value", op, op.getValue());
      case COMPARE_AND_SET -> {
        json(at, "value", op, op.getValue());
        if (op.getHasExpected()) {
          json(at, "expected", op, op.getExpected());
        }
      }
      default -> {
        // DELETE, DELETE_SCOPE and INCREMENT carry no JSON
      }
    }
  }

  /** {@code bytes} hold exactly one JSON value. */
  private static void json(String at, String field, ContextOp op, ByteString bytes) {
    String what = at + " (" + op.getKind() + " " + ContextOps.where(op) + "): the " + field;
    try (InputStream in = bytes.newInput(); JsonParser p = JSON.createParser(in)) {
      if (p.nextToken() == null) {
        throw Errors.invalid(what + " is empty, not JSON");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw Errors.invalid(what + " has more after its JSON value, at byte " + p.currentLocation().getByteOffset());
      }
    } catch (JsonProcessingException e) {
      throw Errors.invalid(what + " is not valid JSON: " + e.getOriginalMessage() + " (at byte "
          + e.getLocation().getByteOffset() + ")");
    } catch (IOException e) {
      throw Errors.invalid(what + " cannot be read: " + e.getMessage());
    }
  }
}
