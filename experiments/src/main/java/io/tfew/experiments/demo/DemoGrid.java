package io.tfew.experiments.demo;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigField;
import io.tfew.api.config.ConfigSection;
import io.tfew.experiments.config.ConfigLoader;
import io.tfew.experiments.config.ConfigSchema;
import io.tfew.experiments.config.ResolvedConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The grid of {@code tfew demo}, read from a YAML file such as {@code experiments/mini-t0/demo.yaml}:
 * which held-out tasks, which methods (each the recipe {@code <method>.yaml} beside the grid file),
 * how many few-shot samples (seeds) and shots.
 *
 * <pre>{@code
 * DemoGrid grid = DemoGrid.load(Path.of("experiments/mini-t0/demo.yaml"))
 *     .withMethods(List.of("ia3", "lora")).withSeeds(1);
 * List<DemoCell> cells = grid.cells();   // 2 methods x 3 tasks x 1 seed
 * }</pre>
 *
 * @param file the grid file
 * @param tasksDir the directory holding {@code <task>/test.jsonl}, {@code templates.yaml} and the samples
 * @param tasks the held-out tasks, in table order
 * @param methods the methods, in table order
 * @param zeroShot the recipe that evaluates the base model alone; empty: no zero-shot row
 * @param seeds samples {@code 0 .. seeds - 1} of each task
 * @param shots the sample size, which names the sample directory {@code <shots>_shot}
 * @param tuneLrs per method, the learning rates {@code tfew demo --tune} tries (the grid's {@code tune.lr})
 * @param tuneSeeds samples {@code 0 .. tuneSeeds - 1} of each task when tuning
 */
public record DemoGrid(Path file, Path tasksDir, List<String> tasks, List<String> methods, String zeroShot,
    int seeds, int shots, Map<String, List<Double>> tuneLrs, int tuneSeeds) {

  /** The rows each cell is scored on: {@code <task>/test.jsonl}, or {@code <task>/validation.jsonl} to tune. */
  public enum Split {
    TEST("test.jsonl"),
    VALIDATION("validation.jsonl");

    private final String file;

    Split(String file) {
      this.file = file;
    }

    public String file() {
      return file;
    }
  }

  static final List<ConfigField> FIELDS = List.of(
      ConfigField.ofString("tasks_dir", "tasks", "directory of the held-out tasks, relative to this file"),
      ConfigField.ofStrings("tasks", null, "held-out tasks (directories under tasks_dir), in table order"),
      ConfigField.ofStrings("methods", null, "methods in table order; each runs the recipe <method>.yaml beside "
          + "this file"),
      ConfigField.ofString("zero_shot", "", "recipe with no PEFT method for the zero-shot row; empty: none"),
      ConfigField.ofInt("seeds", 3, "few-shot samples 0 .. seeds-1 of each task (the run seed is the same)"),
      ConfigField.ofInt("shots", 32, "examples per sample: <task>/<shots>_shot/<seed>_seed.jsonl"));

  static final List<ConfigField> TUNE_FIELDS = List.of(
      ConfigField.ofInt("seeds", 1, "few-shot samples 0 .. seeds-1 of each task that tfew demo --tune trains"));

  public DemoGrid {
    tasks = List.copyOf(tasks);
    methods = List.copyOf(methods);
    tuneLrs = Collections.unmodifiableMap(new LinkedHashMap<>(tuneLrs));
  }

  /** Reads and checks a grid file: every task's files and every method's recipe must exist. */
  public static DemoGrid load(Path file) {
    ResolvedConfig config = new ConfigLoader().load(file, List.of());
    // tune.lr has one key per method of the grid: learning rates written as strings ('3e-2'), since
    // config lists hold strings.
    List<ConfigField> lrFields = new ArrayList<>();
    if (config.get("methods") instanceof List<?> listed) {
      for (Object m : listed) {
        if (m instanceof String name) {
          lrFields.add(ConfigField.ofStrings(name, List.of(), "learning rates tfew demo --tune tries for " + name));
        }
      }
    }
    var validated = ConfigSchema.builder().section("", FIELDS).section("tune", TUNE_FIELDS)
        .section("tune.lr", lrFields).build().validate(config);
    ConfigSection s = validated.section("");
    ConfigSection lrs = validated.section("tune.lr");
    Map<String, List<Double>> tuneLrs = new LinkedHashMap<>();
    for (String method : s.getStrings("methods")) {
      List<Double> values = new ArrayList<>();
      for (String text : lrs.getStrings(method)) {
        try {
          values.add(Double.parseDouble(text.trim()));
        } catch (NumberFormatException e) {
          throw new TfewException(config.locate("tune.lr." + method) + ": '" + text
              + "' is not a number; write learning rates as '3e-2'");
        }
      }
      if (!values.isEmpty()) {
        tuneLrs.put(method, values);
      }
    }
    Path dir = file.toAbsolutePath().normalize().getParent();
    DemoGrid grid = new DemoGrid(file, dir.resolve(s.getString("tasks_dir")).normalize(), s.getStrings("tasks"),
        s.getStrings("methods"), s.getString("zero_shot"), s.getInt("seeds"), s.getInt("shots"), tuneLrs,
        validated.section("tune").getInt("seeds"));
    if (grid.tasks.isEmpty() || grid.methods.isEmpty()) {
      throw new TfewException(file + ": tasks and methods must each name at least one entry");
    }
    if (grid.seeds < 1 || grid.shots < 1 || grid.tuneSeeds < 1) {
      throw new TfewException(file + ": seeds and shots must be at least 1");
    }
    return grid;
  }

  /** The grid with only {@code chosen} methods (in the given order); each must be in the grid file's list. */
  public DemoGrid withMethods(List<String> chosen) {
    for (String m : chosen) {
      if (!Files.isRegularFile(recipe(m))) {
        throw new TfewException("--methods " + String.join(",", chosen) + ": no recipe " + recipe(m)
            + "; the methods of " + file + " are " + String.join(", ", methods));
      }
    }
    return new DemoGrid(file, tasksDir, tasks, chosen, zeroShot, seeds, shots, tuneLrs, tuneSeeds);
  }

  /** The grid with only the given tasks. */
  public DemoGrid withTasks(List<String> chosen) {
    return new DemoGrid(file, tasksDir, chosen, methods, zeroShot, seeds, shots, tuneLrs, tuneSeeds);
  }

  /** The grid with samples {@code 0 .. n - 1}. */
  public DemoGrid withSeeds(int n) {
    if (n < 1) {
      throw new TfewException("--seeds " + n + ": must be at least 1");
    }
    return new DemoGrid(file, tasksDir, tasks, methods, zeroShot, n, shots, tuneLrs, tuneSeeds);
  }

  /** The grid tuning with samples {@code 0 .. n - 1}. */
  public DemoGrid withTuneSeeds(int n) {
    if (n < 1) {
      throw new TfewException("--seeds " + n + ": must be at least 1");
    }
    return new DemoGrid(file, tasksDir, tasks, methods, zeroShot, seeds, shots, tuneLrs, n);
  }

  /** The recipe of {@code method}. */
  public Path recipe(String method) {
    return file.toAbsolutePath().normalize().getParent().resolve(method + ".yaml");
  }

  /**
   * The cells of {@code tfew demo --tune}: every method x task x tuning sample x learning rate of
   * {@code tune.lr}, scored on the validation rows. A method without learning rates is an error.
   */
  public List<DemoCell> tuneCells() {
    List<DemoCell> cells = new ArrayList<>();
    for (String method : methods) {
      List<Double> lrs = tuneLrs.get(method);
      if (lrs == null) {
        throw new TfewException(file + ": tune.lr has no learning rates for " + method + "; add tune: {lr: {"
            + method + ": ['1e-3', '1e-2']}} or leave the method out with --methods");
      }
      for (String task : tasks) {
        for (int seed = 0; seed < tuneSeeds; seed++) {
          for (double lr : lrs) {
            cells.add(cell(method, recipe(method), task, seed, Split.VALIDATION, OptionalDouble.of(lr)));
          }
        }
      }
    }
    return cells;
  }

  /** The zero-shot cells (one per task, seed 0) then every method x task x seed, in table order. */
  public List<DemoCell> cells() {
    List<DemoCell> cells = new ArrayList<>();
    if (!zeroShot.isEmpty()) {
      Path recipe = file.toAbsolutePath().normalize().getParent().resolve(zeroShot);
      for (String task : tasks) {
        cells.add(cell(DemoCell.ZERO_SHOT, recipe, task, 0, Split.TEST, OptionalDouble.empty()));
      }
    }
    for (String method : methods) {
      for (String task : tasks) {
        for (int seed = 0; seed < seeds; seed++) {
          cells.add(cell(method, recipe(method), task, seed, Split.TEST, OptionalDouble.empty()));
        }
      }
    }
    return cells;
  }

  private DemoCell cell(String method, Path recipe, String task, int seed, Split split, OptionalDouble lr) {
    Path dir = tasksDir.resolve(task);
    DemoCell cell = new DemoCell(method, task, seed, recipe, dir.resolve(shots + "_shot").resolve(seed + "_seed.jsonl"),
        dir.resolve(split.file()), dir.resolve("templates.yaml"), lr);
    for (Path p : List.of(recipe, cell.train(), cell.test(), cell.templates())) {
      if (!Files.isRegularFile(p)) {
        throw new TfewException(file + ": cell " + cell.name() + " needs " + p + ", which does not exist; "
            + "check tasks, methods, seeds and shots");
      }
    }
    return cell;
  }
}
