package io.tandem.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlSectionTest {
  private static YamlSection parse(String yaml) throws ConfigException {
    return YamlSection.parse(yaml, "x.yaml", "a: ...");
  }

  @Test
  void aDuplicateTopLevelKeyIsRefusedWithItsLine() {
    assertThatThrownBy(() -> parse("group: line-1\ninstance: a\ngroup: other\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("x.yaml: group: is given twice (line 3)");
  }

  @Test
  void aDuplicateNestedKeyIsNamedWithItsPath() {
    assertThatThrownBy(() -> parse("lease:\n  stopBudget: 1s\n  stopBudget: 2s\n"))
        .hasMessageStartingWith("x.yaml: lease.stopBudget: is given twice (line 3)");
    assertThatThrownBy(() -> parse("peers:\n  - {id: c1, id: c2}\n"))
        .hasMessageStartingWith("x.yaml: peers[0].id: is given twice (line 2)");
  }

  @Test
  void sameKeysInDifferentMappingsAreFine() throws Exception {
    YamlSection s = parse("a: {t: 1s}\nb: {t: 2s}\n");
    assertThat(s.section("a").duration("t", null)).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.section("b").duration("t", null)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void gettersNameTheFieldWithItsSection() throws Exception {
    YamlSection s = parse("lease: {stopBudget: -1s, renew: 1500, n: 99999999999}\npeers:\n  - {raft: a}\n");
    YamlSection lease = s.section("lease");
    assertThatThrownBy(() -> lease.duration("stopBudget", null))
        .hasMessage("x.yaml: lease.stopBudget: must not be negative, got \"-1s\"");
    assertThatThrownBy(() -> lease.duration("renew", null))
        .hasMessageStartingWith("x.yaml: lease.renew: \"1500\" has no unit");
    assertThatThrownBy(() -> lease.integer("n", 0, 1, 100))
        .hasMessage("x.yaml: lease.n: must be between 1 and 100, got 99999999999");
    List<YamlSection> peers = s.sections("peers");
    assertThatThrownBy(() -> peers.get(0).hostPort("raft", null, false, ""))
        .hasMessage("x.yaml: peers[0].raft: \"a\" is not host:port");
  }

  @Test
  void emptyAndNonMappingFilesAreNamed() {
    assertThatThrownBy(() -> parse("")).hasMessage("x.yaml: the file is empty (expected a: ...)");
    assertThatThrownBy(() -> parse("- a\n")).hasMessage("x.yaml: must be a YAML mapping (a: ...)");
    assertThatThrownBy(() -> parse("a: [\n")).hasMessageStartingWith("x.yaml: not valid YAML: ");
  }
}
