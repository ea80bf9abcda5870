package io.tfew.experiments.demo;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One run of the demo grid: a method's recipe on one held-out task and one few-shot sample.
 *
 * @param method the method's name, or {@link #ZERO_SHOT}
 * @param task the held-out task
 * @param seed the sample index, which is also the run seed
 * @param recipe the {@code tfew train} recipe
 * @param train the few-shot sample
 * @param test the rows it is scored on: the task's test rows, or its validation rows when tuning
 * @param templates the task's promptsource templates
 * @param lr the learning rate tried when tuning; empty: the recipe's
 */
public record DemoCell(String method, String task, int seed, Path recipe, Path train, Path test, Path templates,
    OptionalDouble lr) {
  /** The method name of the base model's row. */
  public static final String ZERO_SHOT = "zero_shot";

  public DemoCell(String method, String task, int seed, Path recipe, Path train, Path test, Path templates) {
    this(method, task, seed, recipe, train, test, templates, OptionalDouble.empty());
  }

  /** {@code method/task/seedN}, or {@code method/task/lr<lr>/seedN} when tuning: the cell's directory. */
  public String name() {
    return method + "/" + task + (lr.isPresent() ? "/lr" + lrText(lr.getAsDouble()) : "")
        + (method.equals(ZERO_SHOT) ? "" : "/seed" + seed);
  }

  /** A learning rate as the tuning tables and directories show it, exactly: {@code 0.03}. */
  public static String lrText(double lr) {
    return BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString();
  }

  /** The {@code --set} overrides that turn the recipe into this cell. */
  public List<String> overrides(int steps) {
    List<String> sets = new ArrayList<>(List.of(
        "name=" + name().replace('/', '-'),
        "seed=" + seed,
        "data.train.path=" + train.toAbsolutePath(),
        "data.eval.path=" + test.toAbsolutePath(),
        "data.templates.file=" + templates.toAbsolutePath()));
    lr.ifPresent(v -> sets.add("train.lr=" + v));
    if (steps > 0) {
      sets.add("train.steps=" + steps);
    }
    return sets;
  }
}
