package io.tandem.agent.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.proto.state.ContextOp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WriteBodyTest {
  private static WriteBody.Parsed parse(String json) throws WriteBody.Invalid {
    return WriteBody.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void valuesArePassedThroughAsTheBytesSent() throws Exception {
    WriteBody.Parsed p = parse("{\"sync\":false,\"ops\":["
        + "{\"op\":\"set\",\"scope\":\"global\",\"key\":\"n\",\"value\":1.50},"
        + "{\"op\":\"set\",\"scope\":\"flow:f1\",\"key\":\"o\",\"value\":{ \"a\" : [1e5, \"x\\u00e9\"] }},"
        + "{\"op\":\"set\",\"scope\":\"node:n1:f1\",\"key\":\"s\",\"value\":\"h\\\"i\"  },"
        + "{\"op\":\"set\",\"scope\":\"global\",\"key\":\"t\",\"value\":true},"
        + "{\"op\":\"set\",\"scope\":\"global\",\"key\":\"z\",\"value\":null}]}");
    assertThat(p.sync()).isFalse();
    assertThat(p.ops()).extracting(o -> o.getValue().toStringUtf8())
        .containsExactly("1.50", "{ \"a\" : [1e5, \"x\\u00e9\"] }", "\"h\\\"i\"", "true", "null");
    assertThat(p.ops().get(1).getScope()).isEqualTo("flow:f1");
  }

  @Test
  void everyOpKindIsRead() throws Exception {
    WriteBody.Parsed p = parse("{\"ops\":["
        + "{\"op\":\"delete\",\"scope\":\"global\",\"key\":\"a\"},"
        + "{\"op\":\"deleteScope\",\"scope\":\"node:n:f\"},"
        + "{\"op\":\"increment\",\"scope\":\"global\",\"key\":\"c\",\"delta\":2.5},"
        + "{\"op\":\"cas\",\"scope\":\"global\",\"key\":\"k\",\"hasExpected\":true,\"expected\":[1],\"value\":[2]},"
        + "{\"op\":\"cas\",\"scope\":\"global\",\"key\":\"k\",\"hasExpected\":false,\"value\":3}],\"sync\":true}");
    assertThat(p.sync()).isTrue();
    assertThat(p.ops()).extracting(ContextOp::getKind).containsExactly(ContextOp.Kind.DELETE,
        ContextOp.Kind.DELETE_SCOPE, ContextOp.Kind.INCREMENT, ContextOp.Kind.COMPARE_AND_SET,
        ContextOp.Kind.COMPARE_AND_SET);
    assertThat(p.ops().get(2).getDelta()).isEqualTo(2.5);
    assertThat(p.ops().get(3).getExpected().toStringUtf8()).isEqualTo("[1]");
    assertThat(p.ops().get(3).getHasExpected()).isTrue();
    assertThat(p.ops().get(4).getHasExpected()).isFalse();
  }

  @Test
  void malformedOpsAreRefusedNamingTheOp() {
    String[][] cases = {
        {"[]", "the body must be a JSON object"},
        {"{\"ops\":[{\"op\":\"set\",\"scope\":\"global\",\"key\":\"a\"}]}", "ops[0].value is missing"},
        {"{\"ops\":[{\"op\":\"set\",\"scope\":\"local\",\"key\":\"a\",\"value\":1}]}", "ops[0].scope \"local\" must be"},
        {"{\"ops\":[{\"op\":\"bump\",\"scope\":\"global\",\"key\":\"a\"}]}", "ops[0].op \"bump\" is not one of"},
        {"{\"ops\":[{\"op\":\"set\",\"scope\":\"global\",\"value\":1}]}", "ops[0].key is missing"},
        {"{\"ops\":[{\"op\":\"set\",\"scope\":\"global\",\"key\":\"a\",\"value\":}]}", "the request is not valid JSON"},
        {"{\"sync\":true}", "the body has no ops array"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOf(WriteBody.Invalid.class)
          .hasMessageStartingWith(c[1]);
    }
  }
}
