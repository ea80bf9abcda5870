package io.tfew.experiments.sweep;

import io.tfew.api.TfewException;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.experiments.config.ConfigLoader;
import io.tfew.experiments.config.ExperimentConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid expanded into its cells, each with its validated experiment config: the base recipe, the
 * cell's values, then the command line's {@code --set} overrides (which apply to every cell).
 *
 * <pre>{@code
 * SweepPlan plan = SweepPlan.load(Path.of("experiments/grids/peft-comparison.yaml"), null,
 *     List.of("model=bigscience/T0_3B"), PluginRegistry.discover());
 * plan.cells().forEach(c -> System.out.println(c.cell().index() + " " + c.cell().dir()));
 * }</pre>
 */
public final class SweepPlan {
  /** A cell and the experiment it runs. */
  public record Planned(GridCell cell, ExperimentConfig config) {}

  private final Grid grid;
  private final Path out;
  private final List<String> overrides;
  private final List<Planned> cells;

  private SweepPlan(Grid grid, Path out, List<String> overrides, List<Planned> cells) {
    this.grid = grid;
    this.out = out;
    this.overrides = List.copyOf(overrides);
    this.cells = List.copyOf(cells);
  }

  /**
   * Loads {@code gridFile} and validates every cell's config; one message lists the problems of every
   * cell that has any, each with the grid's file and line.
   *
   * @param out the sweep's output directory; null: the grid's {@code out}
   */
  public static SweepPlan load(Path gridFile, Path out, List<String> overrides, PluginRegistry registry) {
    Grid grid = Grid.load(gridFile);
    Path dir = out != null ? out : Path.of(grid.out());
    List<Planned> planned = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (GridCell cell : grid.cells(dir)) {
      try {
        planned.add(new Planned(cell, ExperimentConfig.from(
            new ConfigLoader().load(grid.base(), cell.placements(), overrides), registry)));
      } catch (TfewException e) {
        String message = "cell " + cell.index() + " (" + cell.name() + "):\n  " + e.getMessage().replace("\n", "\n  ");
        // Most problems repeat in every cell; show each distinct one once.
        String body = e.getMessage();
        if (problems.stream().noneMatch(p -> p.endsWith(body.replace("\n", "\n  ")))) {
          problems.add(message);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new TfewException(gridFile + ": " + problems.size() + " distinct problem"
          + (problems.size() == 1 ? "" : "s") + " in the grid's cells (base " + grid.base() + "):\n"
          + String.join("\n", problems));
    }
    return new SweepPlan(grid, dir, overrides, planned);
  }

  public Grid grid() {
    return grid;
  }

  /** The sweep's output directory; cells live under it. */
  public Path out() {
    return out;
  }

  /** The {@code --set} overrides given to every cell. */
  public List<String> overrides() {
    return overrides;
  }

  public List<Planned> cells() {
    return cells;
  }

  /** The cell at {@code index}, or an error naming the valid range. */
  public Planned cell(int index) {
    if (index < 0 || index >= cells.size()) {
      throw new TfewException("--cell " + index + ": " + grid.file() + " has " + cells.size() + " cells, 0 to "
          + (cells.size() - 1) + "; --dry-run lists them");
    }
    return cells.get(index);
  }
}
