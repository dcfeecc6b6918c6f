package io.tandem.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tandem_* metric names that the alert rules and the Grafana dashboard query (from their
 * PromQL expressions only, not from comments), each with where it is used.
 */
final class OpsMetricNames {
  private static final Pattern NAME = Pattern.compile("\\btandem_[a-z0-9_]*[a-z0-9]");
  private static final Set<String> QUERY_FIELDS = Set.of("expr", "query", "definition");

  private OpsMetricNames() {}

  static Map<String, Set<String>> used() throws IOException {
    Map<String, Set<String>> names = new TreeMap<>();
    collect(new ObjectMapper(new YAMLFactory()).readTree(DistPaths.ops("prometheus/tandem-rules.yml").toFile()),
        "ops/prometheus/tandem-rules.yml", names);
    collect(new ObjectMapper().readTree(DistPaths.ops("grafana/tandem.json").toFile()),
        "ops/grafana/tandem.json", names);
    return names;
  }

  private static void collect(JsonNode node, String file, Map<String, Set<String>> names) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (QUERY_FIELDS.contains(e.getKey()) && e.getValue().isTextual()) {
          Matcher m = NAME.matcher(e.getValue().asText());
          while (m.find()) {
            names.computeIfAbsent(m.group(), k -> new TreeSet<>()).add(file);
          }
        } else {
          collect(e.getValue(), file, names);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, file, names));
    }
  }

  /** Sample names in a Prometheus text exposition (tandem_x_total{a="b"} 1 -> tandem_x_total). */
  static Set<String> exposed(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }
}
