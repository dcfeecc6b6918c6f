package io.tandem.agent.context;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.tandem.proto.state.ContextOp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the body of {@code POST /tandem/context/write} with a streaming parser. JSON values
 * ({@code value}, {@code expected}) are passed through as the bytes the plugin sent, never
 * re-encoded: a compare-and-set compares them byte for byte.
 */
final class WriteBody {
  private static final JsonFactory JSON = new JsonFactory();

  record Parsed(List<ContextOp> ops, boolean sync) {}

  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  private WriteBody() {}

  static Parsed parse(byte[] body) throws Invalid {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Invalid("the body must be a JSON object {\"ops\":[...],\"sync\":bool}");
      }
      List<ContextOp> ops = null;
      boolean sync = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "sync" -> {
            if (!t.isBoolean()) {
              throw new Invalid("sync must be true or false");
            }
            sync = t == JsonToken.VALUE_TRUE;
          }
          case "ops" -> {
            if (t != JsonToken.START_ARRAY) {
              throw new Invalid("ops must be an array");
            }
            ops = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
              ops.add(op(p, body, ops.size()));
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new Invalid("trailing data after the JSON object");
      }
      if (ops == null) {
        throw new Invalid("the body has no ops array");
      }
      return new Parsed(ops, sync);
    } catch (IOException e) {
      throw new Invalid("the request is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static ContextOp op(JsonParser p, byte[] body, int i) throws IOException, Invalid {
    String at = "ops[" + i + "]";
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new Invalid(at + " must be an object");
    }
    String kind = null;
    String scope = null;
    String key = null;
    ByteString value = null;
    ByteString expected = null;
    Boolean hasExpected = null;
    Double delta = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "op" -> kind = text(p, t, at + ".op");
        case "scope" -> scope = text(p, t, at + ".scope");
        case "key" -> key = text(p, t, at + ".key");
        case "value" -> value = raw(p, body);
        case "expected" -> expected = raw(p, body);
        case "hasExpected" -> {
          if (!t.isBoolean()) {
            throw new Invalid(at + ".hasExpected must be true or false");
          }
          hasExpected = t == JsonToken.VALUE_TRUE;
        }
        case "delta" -> {
          if (!t.isNumeric()) {
            throw new Invalid(at + ".delta must be a number");
          }
          delta = p.getDoubleValue();
        }
        default -> p.skipChildren();
      }
    }
    if (kind == null) {
      throw new Invalid(at + " has no op (set, delete, deleteScope, increment or cas)");
    }
    checkScope(scope, at);
    ContextOp.Builder b = ContextOp.newBuilder().setScope(scope);
    switch (kind) {
      case "set" -> b.setKind(ContextOp.Kind.SET).setKey(key(key, at)).setValue(required(value, at + ".value"));
      case "delete" -> b.setKind(ContextOp.Kind.DELETE).setKey(key(key, at));
      case "deleteScope" -> b.setKind(ContextOp.Kind.DELETE_SCOPE);
      case "increment" -> {
        if (delta == null) {
          delta = 1.0;
        }
        if (delta.isNaN() || delta.isInfinite()) {
          throw new Invalid(at + ".delta must be a finite number");
        }
        b.setKind(ContextOp.Kind.INCREMENT).setKey(key(key, at)).setDelta(delta);
      }
      case "cas" -> {
        boolean has = hasExpected != null ? hasExpected : expected != null;
        b.setKind(ContextOp.Kind.COMPARE_AND_SET).setKey(key(key, at))
            .setValue(required(value, at + ".value")).setHasExpected(has);
        if (has) {
          b.setExpected(required(expected, at + ".expected"));
        }
      }
      default -> throw new Invalid(at + ".op \"" + kind
          + "\" is not one of set, delete, deleteScope, increment, cas");
    }
    return b.build();
  }

  private static String text(JsonParser p, JsonToken t, String at) throws IOException, Invalid {
    if (t != JsonToken.VALUE_STRING) {
      throw new Invalid(at + " must be a string");
    }
    return p.getText();
  }

  private static String key(String key, String at) throws Invalid {
    if (key == null || key.isEmpty()) {
      throw new Invalid(at + ".key is missing");
    }
    return key;
  }

  private static ByteString required(ByteString v, String at) throws Invalid {
    if (v == null) {
      throw new Invalid(at + " is missing");
    }
    return v;
  }

  static void checkScope(String scope, String at) throws Invalid {
    if (scope == null || scope.isEmpty()) {
      throw new Invalid(at + ".scope is missing");
    }
    boolean ok = scope.equals("global")
        || (scope.startsWith("flow:") && scope.length() > 5)
        || (scope.startsWith("node:") && scope.length() > 5);
    if (!ok) {
      throw new Invalid(at + ".scope \"" + scope + "\" must be global, flow:FLOW_ID or node:NODE_SCOPE");
    }
  }

  /** The exact bytes of the value the parser is at (it is left at the value's last token). */
  private static ByteString raw(JsonParser p, byte[] body) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    JsonToken t = p.currentToken();
    int end;
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      p.skipChildren();
      end = (int) p.currentTokenLocation().getByteOffset() + 1;
    } else {
      if (t == JsonToken.VALUE_STRING) {
        p.getText(); // the parser reads a string lazily: finish it
      }
      end = (int) p.currentLocation().getByteOffset();
    }
    while (end > start && Character.isWhitespace(body[end - 1])) {
      end--;
    }
    return ByteString.copyFrom(body, start, end - start);
  }
}
