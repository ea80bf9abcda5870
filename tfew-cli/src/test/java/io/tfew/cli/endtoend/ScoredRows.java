package io.tfew.cli.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.cli.TfewCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the end-to-end tests compare: the {@code scores} of JSONL rows that {@code tfew score} prints or a run
 * writes to {@code predictions/}, and the message of a run that must be refused.
 */
final class ScoredRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ScoredRows() {}

  /** The scores of every JSON line in {@code jsonl} (other lines, such as progress, are skipped); at least one. */
  static List<double[]> of(String jsonl) {
    List<double[]> rows = new ArrayList<>();
    for (String line : jsonl.lines().filter(l -> l.startsWith("{")).toList()) {
      try {
        JsonNode s = JSON.readTree(line).get("scores");
        double[] v = new double[s.size()];
        for (int c = 0; c < v.length; c++) {
          v[c] = s.get(c).asDouble();
        }
        rows.add(v);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
    // An empty result would make every comparison below pass.
    assertThat(rows).as("score rows in:%n%s", jsonl).isNotEmpty();
    return rows;
  }

  /** The largest difference between two runs' scores of the same rows. */
  static double maxAbsDiff(List<double[]> a, List<double[]> b) {
    assertThat(a).hasSameSizeAs(b);
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      for (int c = 0; c < a.get(i).length; c++) {
        worst = Math.max(worst, Math.abs(a.get(i)[c] - b.get(i)[c]));
      }
    }
    return worst;
  }

  /** Runs {@code args}, which must be refused as bad input (exit 2, no stack trace); returns stderr. */
  static String refusal(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = TfewCli.run(args, new PrintWriter(out), new PrintWriter(err));
    assertThat(status).as("tfew %s should fail; stdout:%n%s%nstderr:%n%s", String.join(" ", args), out, err)
        .isEqualTo(2);
    assertThat(err.toString()).doesNotContain("\tat ");
    return err.toString();
  }
}
