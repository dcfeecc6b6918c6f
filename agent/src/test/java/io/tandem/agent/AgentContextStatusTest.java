package io.tandem.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.agent.context.ContextAgent;
import org.junit.jupiter.api.Test;

/** The "context" object of the agent's /status. */
class AgentContextStatusTest {
  @Test
  void aWriterShowsItsTokenVersionPendingOpsAndLastFlush() {
    JsonNode o = Agent.contextStatus(new ContextAgent.Status(true, 7, 120, 3, 12.345));
    assertThat(o.path("role").asText()).isEqualTo("writer");
    assertThat(o.path("writerToken").asLong()).isEqualTo(7);
    assertThat(o.path("version").asLong()).isEqualTo(120);
    assertThat(o.path("pendingOps").asInt()).isEqualTo(3);
    assertThat(o.path("lastFlushMillis").asDouble()).isEqualTo(12.3);
  }

  @Test
  void aReplicaBeforeAnyFlushShowsNullLatency() {
    JsonNode o = Agent.contextStatus(new ContextAgent.Status(false, 0, 5, 0, -1));
    assertThat(o.path("role").asText()).isEqualTo("replica");
    assertThat(o.get("lastFlushMillis").isNull()).isTrue();
  }
}
