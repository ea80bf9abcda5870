package io.tfew.experiments.sweep;

import io.tfew.experiments.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cell of a sweep grid: one value of every axis, an ordinary {@code tfew train} run in its own
 * directory.
 *
 * @param index the cell's position in the grid's order (first axis outermost); {@code --cell} and Slurm's
 *     array index name it
 * @param name the axis labels joined by '/', e.g. {@code rte/ia3/seed0}; also the directory under the
 *     sweep's output
 * @param dir the run directory
 * @param axes each axis's value in this cell, by axis name, in the grid's order
 * @param placements the config values the cell sets on top of the base recipe, in order
 */
public record GridCell(int index, String name, Path dir, Map<String, String> axes,
    List<ConfigLoader.Placement> placements) {
  public GridCell {
    axes = Collections.unmodifiableMap(new LinkedHashMap<>(axes));
    placements = List.copyOf(placements);
  }
}
