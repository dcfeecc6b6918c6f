package io.tandem.it.tool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchFlowsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> ids(JsonNode body) {
    List<String> ids = new ArrayList<>();
    body.path("flows").forEach(n -> ids.add(n.path("id").asText()));
    return ids;
  }

  @Test
  void keepsTheOtherFlowsReplacesTheBenchTabAndAnswersTheMarker() throws Exception {
    JsonNode current = JSON.readTree("{\"rev\":\"r1\",\"flows\":[{\"id\":\"witness.tab\",\"type\":\"tab\"},"
        + "{\"id\":\"bench.fn\",\"type\":\"function\",\"func\":\"old\"}]}");
    ObjectNode body = BenchFlows.body(current, "marker \"7\"", 0);
    assertThat(body.path("rev").asText()).isEqualTo("r1");
    assertThat(ids(body)).containsExactly("witness.tab", "bench.tab", "bench.in", "bench.fn", "bench.out");
    JsonNode fn = body.path("flows").get(3);
    assertThat(fn.path("func").asText()).isEqualTo("msg.payload = \"marker \\\"7\\\"\";\nreturn msg;");
    assertThat(body.path("flows").get(2).path("url").asText()).isEqualTo("/" + BenchFlows.PATH);
    assertThat(BenchFlows.size(body)).isLessThan(1000);
  }

  @Test
  void padsTheBodyToTheRequestedSizeWithACommentNode() {
    int fiveMb = 5 * 1024 * 1024;
    ObjectNode body = BenchFlows.body(JSON.createObjectNode().put("rev", "r").set("flows", JSON.createArrayNode()),
        "m", fiveMb);
    assertThat(BenchFlows.size(body)).isBetween(fiveMb, fiveMb + 100);
    assertThat(ids(body)).endsWith("bench.pad");
    // a second deploy over the padded flows replaces the padding instead of adding to it
    ObjectNode again = BenchFlows.body(body, "m2", fiveMb);
    assertThat(BenchFlows.size(again)).isBetween(fiveMb, fiveMb + 100);
    assertThat(ids(again)).containsOnlyOnce("bench.pad");
  }
}
