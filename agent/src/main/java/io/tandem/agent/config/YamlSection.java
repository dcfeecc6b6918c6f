package io.tandem.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One mapping of the YAML file with typed getters whose errors name the file and the field. */
final class YamlSection {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)");

  private final String file;
  private final String prefix;
  private final JsonNode node;

  YamlSection(String file, String prefix, JsonNode node) {
    this.file = file;
    this.prefix = prefix;
    this.node = node;
  }

  ConfigException error(String field, String message) {
    return new ConfigException(file + ": " + prefix + field + ": " + message);
  }

  /** Refuses keys other than {@code known}, so a typo is not silently ignored. */
  void onlyKnown(Set<String> known) throws ConfigException {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw error(name, "unknown field (known here: " + String.join(", ", known) + ")");
      }
    }
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  YamlSection section(String field) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return new YamlSection(file, prefix + field + ".", com.fasterxml.jackson.databind.node
          .JsonNodeFactory.instance.objectNode());
    }
    if (!v.isObject()) {
      throw error(field, "must be a mapping (key: value lines), got " + kind(v));
    }
    return new YamlSection(file, prefix + field + ".", v);
  }

  String string(String field, String dflt) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isValueNode() || v.isBinary()) {
      throw error(field, "must be a text value, got " + kind(v));
    }
    return v.asText().trim();
  }

  String required(String field, String what) throws ConfigException {
    String s = string(field, null);
    if (s == null || s.isEmpty()) {
      throw error(field, "is required (" + what + ")");
    }
    return s;
  }

  int integer(String field, int dflt, int min, int max) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToInt() || !(v.isIntegralNumber() || v.asText().matches("-?\\d+"))) {
      throw error(field, "must be a whole number, got \"" + v.asText() + "\"");
    }
    int i = v.isNumber() ? v.intValue() : Integer.parseInt(v.asText());
    if (i < min || i > max) {
      throw error(field, "must be between " + min + " and " + max + ", got " + i);
    }
    return i;
  }

  double decimal(String field, double dflt, double min, double maxExclusive) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw error(field, "must be a number, got \"" + v.asText() + "\"");
    }
    double d = v.doubleValue();
    if (d < min || d >= maxExclusive) {
      throw error(field, "must be at least " + min + " and below " + maxExclusive + ", got " + d);
    }
    return d;
  }

  /** A duration written as {@code 250ms}, {@code 2s}, {@code 1.5s} or {@code 1m}; must be positive. */
  Duration duration(String field, Duration dflt) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    String text = v.asText().trim();
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw error(field, "must be a duration with a unit, e.g. 250ms, 2s or 1m; got \"" + text + "\"");
    }
    double amount = Double.parseDouble(m.group(1));
    double millis = switch (m.group(2)) {
      case "ms" -> amount;
      case "s" -> amount * 1000;
      default -> amount * 60_000;
    };
    if (millis < 1) {
      throw error(field, "must be at least 1ms, got \"" + text + "\"");
    }
    return Duration.ofNanos((long) (millis * 1_000_000));
  }

  /** A list of text values; a single text value is split on whitespace. */
  List<String> strings(String field) throws ConfigException {
    JsonNode v = node.get(field);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (v.isValueNode()) {
      for (String part : v.asText().trim().split("\\s+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
      return out;
    }
    if (!v.isArray()) {
      throw error(field, "must be a list, got " + kind(v));
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isValueNode() || e.isNull()) {
        throw error(field + "[" + i + "]", "must be a text value, got " + kind(e));
      }
      out.add(e.asText());
    }
    return out;
  }

  Map<String, String> stringMap(String field) throws ConfigException {
    JsonNode v = node.get(field);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw error(field, "must be a mapping NAME: value, got " + kind(v));
    }
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw error(field + "." + e.getKey(), "must be a text value, got " + kind(e.getValue()));
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** A path; a relative one is taken relative to the folder of the config file. */
  Path path(String field, Path base) throws ConfigException {
    String s = string(field, null);
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      Path p = Path.of(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
      return (p.isAbsolute() ? p : base.resolve(p)).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw error(field, "is not a valid path: " + e.getMessage());
    }
  }

  private static String kind(JsonNode v) {
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    return "\"" + v.asText() + "\"";
  }
}
