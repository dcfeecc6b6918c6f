package io.tandem.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * ops/grafana/tandem.json is an importable dashboard: unique panel ids, every panel queries the
 * selectable Prometheus data source, no two panels overlap. (That the metric names exist is checked
 * against real /metrics output by TarballClusterIT.)
 */
class DashboardTest {
  private static final JsonNode DASHBOARD = read();

  private static JsonNode read() {
    try {
      return new ObjectMapper().readTree(DistPaths.ops("grafana/tandem.json").toFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void everyPanelHasAUniqueIdAndQueriesTheChosenDataSource() {
    assertThat(DASHBOARD.path("uid").asText()).isNotBlank();
    Set<Integer> ids = new HashSet<>();
    int queried = 0;
    for (JsonNode p : DASHBOARD.path("panels")) {
      assertThat(ids.add(p.path("id").asInt())).as("panel id %s unique", p.path("id")).isTrue();
      if ("row".equals(p.path("type").asText())) {
        continue;
      }
      assertThat(p.path("title").asText()).isNotBlank();
      assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
      assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("expr").asText()).as(p.path("title").asText()).contains("tandem_");
      }
      queried++;
    }
    assertThat(queried).isGreaterThanOrEqualTo(10);
    List<String> variables = new ArrayList<>();
    DASHBOARD.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
    assertThat(variables).contains("datasource", "group");
  }

  @Test
  void panelsDoNotOverlapOnTheGrid() {
    List<int[]> boxes = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (JsonNode p : DASHBOARD.path("panels")) {
      JsonNode g = p.path("gridPos");
      int[] box = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
      assertThat(box[0] + box[2]).as("%s fits the 24 columns", p.path("title").asText()).isLessThanOrEqualTo(24);
      for (int i = 0; i < boxes.size(); i++) {
        int[] o = boxes.get(i);
        boolean overlap = box[0] < o[0] + o[2] && o[0] < box[0] + box[2] && box[1] < o[1] + o[3] && o[1] < box[1] + box[3];
        assertThat(overlap).as("%s overlaps %s", p.path("title").asText(), titles.get(i)).isFalse();
      }
      boxes.add(box);
      titles.add(p.path("title").asText());
    }
  }
}
