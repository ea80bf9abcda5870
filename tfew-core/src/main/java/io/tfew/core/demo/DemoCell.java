package io.tfew.core.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the demo grid: a method's recipe on one held-out task and one few-shot sample.
 *
 * @param method the method's name, or {@link #ZERO_SHOT}
 * @param task the held-out task
 * @param seed the sample index, which is also the run seed
 * @param recipe the {@code tfew train} recipe
 * @param train the few-shot sample
 * @param test the test rows
 * @param templates the task's promptsource templates
 */
public record DemoCell(String method, String task, int seed, Path recipe, Path train, Path test, Path templates) {
  /** The method name of the base model's row. */
  public static final String ZERO_SHOT = "zero_shot";

  /** {@code method/task/seedN}: the cell's directory under the demo's output directory. */
  public String name() {
    return method + "/" + task + (method.equals(ZERO_SHOT) ? "" : "/seed" + seed);
  }

  /** The {@code --set} overrides that turn the recipe into this cell. */
  public List<String> overrides(int steps) {
    List<String> sets = new ArrayList<>(List.of(
        "name=" + name().replace('/', '-'),
        "seed=" + seed,
        "data.train.path=" + train.toAbsolutePath(),
        "data.eval.path=" + test.toAbsolutePath(),
        "data.templates.file=" + templates.toAbsolutePath()));
    if (steps > 0) {
      sets.add("train.steps=" + steps);
    }
    return sets;
  }
}
