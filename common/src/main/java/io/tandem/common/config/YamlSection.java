package io.tandem.common.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mapping of a YAML config file, with typed getters whose errors name the file and the field
 * ({@code agent.yaml: lease.stopBudget: must not be negative, got "-1s"}). Start with {@link
 * #parse}, which refuses duplicate keys (YAML would silently keep the last one).
 */
public final class YamlSection {
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build());

  private final String file;
  private final String prefix;
  private final JsonNode node;

  private YamlSection(String file, String prefix, JsonNode node) {
    this.file = file;
    this.prefix = prefix;
    this.node = node;
  }

  /**
   * Parses a whole file that must be a mapping.
   *
   * @param text     the file's content
   * @param file     the name errors start with
   * @param expected what the mapping holds, for the error when it is something else
   */
  public static YamlSection parse(String text, String file, String expected) throws ConfigException {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new ConfigException(file + ": " + yamlProblem(e), e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(file + ": the file is empty (expected " + expected + ")");
    }
    if (!root.isObject()) {
      throw new ConfigException(file + ": must be a YAML mapping (" + expected + ")");
    }
    return new YamlSection(file, "", root);
  }

  private static String yamlProblem(JacksonException e) {
    String line = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
        : " (line " + e.getLocation().getLineNr() + ")";
    String message = String.valueOf(e.getOriginalMessage());
    if (message.startsWith("Duplicate field") && e.getProcessor() instanceof JsonParser p) {
      String key = field(p.getParsingContext().pathAsPointer());
      return key + ": is given twice" + line + "; each key may appear once in a mapping"
          + " (YAML would keep only the last one)";
    }
    return "not valid YAML: " + message + line;
  }

  /** {@code /peers/0/id} as {@code peers[0].id}. */
  private static String field(JsonPointer pointer) {
    StringBuilder out = new StringBuilder();
    for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
      if (p.mayMatchElement() && p.getMatchingProperty().matches("\\d+")) {
        out.append('[').append(p.getMatchingIndex()).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(p.getMatchingProperty());
      }
    }
    return out.toString();
  }

  /** The name errors start with. */
  public String file() {
    return file;
  }

  /** The full name of {@code field} in this section, e.g. {@code lease.stopBudget}. */
  public String name(String field) {
    return prefix + field;
  }

  public ConfigException error(String field, String message) {
    return new ConfigException(file + ": " + prefix + field + ": " + message);
  }

  /** An error about this section as a whole. */
  public ConfigException error(String message) {
    String self = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return new ConfigException(file + ": " + (self.isEmpty() ? "" : self + ": ") + message);
  }

  /** Refuses keys other than {@code known}, so a typo is not silently ignored. */
  public void onlyKnown(Set<String> known) throws ConfigException {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw error(name, "unknown field (known here: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }

  public boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** True if {@code field} is present and a mapping (for keys that take a value or a mapping). */
  public boolean isMapping(String field) {
    JsonNode v = node.get(field);
    return v != null && v.isObject();
  }

  /** A nested mapping; an absent one reads as empty, so every getter returns its default. */
  public YamlSection section(String field) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return new YamlSection(file, prefix + field + ".", JsonNodeFactory.instance.objectNode());
    }
    if (!v.isObject()) {
      throw error(field, "must be a mapping (key: value lines), got " + kind(v));
    }
    return new YamlSection(file, prefix + field + ".", v);
  }

  /** A list of mappings ({@code peers[0]}, ...); absent: empty. */
  public List<YamlSection> sections(String field) throws ConfigException {
    JsonNode v = node.get(field);
    List<YamlSection> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw error(field, "must be a list, got " + kind(v));
    }
    for (int i = 0; i < v.size(); i++) {
      String at = field + "[" + i + "]";
      if (!v.get(i).isObject()) {
        throw error(at, "must be a mapping (key: value), got " + kind(v.get(i)));
      }
      out.add(new YamlSection(file, prefix + at + ".", v.get(i)));
    }
    return out;
  }

  public String string(String field, String dflt) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isValueNode() || v.isBinary()) {
      throw error(field, "must be a text value, got " + kind(v));
    }
    return v.asText().trim();
  }

  public String required(String field, String what) throws ConfigException {
    String s = string(field, null);
    if (s == null || s.isEmpty()) {
      throw error(field, "is required (" + what + ")");
    }
    return s;
  }

  public int integer(String field, int dflt, int min, int max) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    String text = v.asText().trim();
    if (!(v.isIntegralNumber() || v.isTextual()) || !text.matches("[+-]?\\d+")) {
      throw error(field, "must be a whole number, got \"" + text + "\"");
    }
    long l = text.replaceFirst("^[+-]", "").length() > 12 ? Long.MAX_VALUE : Long.parseLong(text);
    if (l < min || l > max) {
      throw error(field, "must be between " + min + " and " + max + ", got " + text);
    }
    return (int) l;
  }

  public double decimal(String field, double dflt, double min, double maxExclusive)
      throws ConfigException {
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

  /** true or false (YAML booleans, or the text "true"/"false"). */
  public boolean bool(String field, boolean dflt) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    String text = v.isValueNode() ? v.asText().trim() : "";
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw error(field, "must be true or false, got " + (v.isValueNode() ? "\"" + text + "\"" : kind(v)));
  }

  /** A duration in the syntax of {@link Durations} that must be greater than zero. */
  public Duration duration(String field, Duration dflt) throws ConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isValueNode()) {
      throw error(field, "must be a duration (" + Durations.EXAMPLES + "), got " + kind(v));
    }
    try {
      return Durations.parsePositive(v.asText());
    } catch (IllegalArgumentException e) {
      throw error(field, e.getMessage());
    }
  }

  /** A {@code host:port} (see {@link HostPort}); {@code listen} allows port 0. */
  public HostPort hostPort(String field, HostPort dflt, boolean listen, String hint)
      throws ConfigException {
    String s = string(field, null);
    if (s == null) {
      return dflt;
    }
    try {
      return HostPort.parse(s, listen);
    } catch (IllegalArgumentException e) {
      throw error(field, e.getMessage() + (hint.isEmpty() ? "" : " (" + hint + ")"));
    }
  }

  /** A list of text values; a single text value is split on whitespace. */
  public List<String> strings(String field) throws ConfigException {
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

  public Map<String, String> stringMap(String field) throws ConfigException {
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

  /** A path; a relative one is taken relative to {@code base} (the folder of the config file). */
  public Path path(String field, Path base) throws ConfigException {
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
