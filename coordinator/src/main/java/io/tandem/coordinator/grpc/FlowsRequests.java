package io.tandem.coordinator.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;

/**
 * Checks of flows and editor data before they reach the log: sizes, and that the flows are a
 * JSON array and the credentials empty or a JSON object. Streams through the JSON (no tree is
 * built), so a 16 MB document costs little memory. Failures are INVALID_ARGUMENT with the size
 * and the limit, or the JSON error with its position.
 */
public final class FlowsRequests {
  /** Largest flows + credentials of one revision (and largest editor data value): 16 MB. */
  public static final int MAX_FLOWS_BYTES = 16 * 1024 * 1024;
  private static final int MAX_MODULES = 2000;
  private static final int MAX_SHORT = 256;
  private static final int MAX_KEY = 1024;
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_FLOWS_BYTES).build())
      .build();

  private FlowsRequests() {}

  /** Size, shape and the small fields of a deploy or an import. */
  static void flows(ByteString flows, ByteString credentials) {
    long total = (long) flows.size() + credentials.size();
    if (total > MAX_FLOWS_BYTES) {
      throw Errors.invalid("the flows (" + flows.size() + " bytes) and credentials (" + credentials.size()
          + " bytes) are " + megabytes(total) + " together; the limit is " + megabytes(MAX_FLOWS_BYTES)
          + " (" + MAX_FLOWS_BYTES + " bytes): split the flows or move large data out of them");
    }
    json("flows", flows, JsonToken.START_ARRAY, "a JSON array of nodes");
    if (!credentials.isEmpty()) {
      json("credentials", credentials, JsonToken.START_OBJECT, "a JSON object (or empty)");
    }
  }

  /** {@code text} is deployed_by of a deploy or not_ready_detail of a heartbeat, named {@code field}. */
  static void details(String field, String text, List<String> modules, String credentialKeyDigest) {
    if (text.length() > (field.equals("deployed_by") ? MAX_SHORT : MAX_KEY)) {
      throw Errors.invalid(field + " is longer than " + (field.equals("deployed_by") ? MAX_SHORT : MAX_KEY) + " characters");
    }
    shortText("credential_key_digest", credentialKeyDigest);
    if (modules.size() > MAX_MODULES) {
      throw Errors.invalid("modules lists " + modules.size() + " entries; at most " + MAX_MODULES);
    }
    for (int i = 0; i < modules.size(); i++) {
      String m = modules.get(i);
      if (m.isEmpty() || m.length() > MAX_SHORT) {
        throw Errors.invalid("modules[" + i + "] must be 1 to " + MAX_SHORT + " characters (\"name@version\")");
      }
    }
  }

  static void editorValue(String key, ByteString value) {
    if (key.length() > MAX_KEY) {
      throw Errors.invalid("key is longer than " + MAX_KEY + " characters");
    }
    if (value.size() > MAX_FLOWS_BYTES) {
      throw Errors.invalid("the value is " + megabytes(value.size()) + "; the limit is "
          + megabytes(MAX_FLOWS_BYTES) + " (" + MAX_FLOWS_BYTES + " bytes)");
    }
  }

  static void revision(String field, long value) {
    if (value < 0) {
      throw Errors.invalid(field + " must not be negative (got " + value + ")");
    }
  }

  private static void shortText(String field, String value) {
    if (value.length() > MAX_SHORT) {
      throw Errors.invalid(field + " is longer than " + MAX_SHORT + " characters");
    }
  }

  /** {@code bytes} hold exactly one JSON value that starts with {@code first}. */
  private static void json(String field, ByteString bytes, JsonToken first, String what) {
    try (InputStream in = bytes.newInput(); JsonParser p = JSON.createParser(in)) {
      JsonToken t = p.nextToken();
      if (t != first) {
        throw Errors.invalid(field + " must be " + what + (t == null ? "; it is empty" : "; it starts with " + describe(t)));
      }
      p.skipChildren();
      JsonToken after = p.nextToken();
      if (after != null) {
        throw Errors.invalid(field + " has more after its JSON value, at byte " + p.currentLocation().getByteOffset());
      }
    } catch (JsonProcessingException e) {
      throw Errors.invalid(field + " is not valid JSON: " + e.getOriginalMessage() + " (at byte "
          + e.getLocation().getByteOffset() + ")");
    } catch (IOException e) {
      throw Errors.invalid(field + " cannot be read: " + e.getMessage());
    }
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name();
    };
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
  }
}
