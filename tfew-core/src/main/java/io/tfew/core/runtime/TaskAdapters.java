package io.tfew.core.runtime;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One adapter per named task, held by one model so that a batch may mix tasks: each row's
 * {@code task} picks the adapter that scores it (issue 4, "mixed-task batches").
 *
 * <p>All adapters must come from the same method with the same options: the graph holds one method
 * whose parameters gain a leading task axis ({@link io.tfew.api.model.SiteContext#taskCount()}), and
 * slot {@code t} is loaded from the adapter of the {@code t}-th task. Adapters of different methods,
 * or of one method with different options (say LoRA r=4 and r=8), cannot share that layout and are
 * refused.
 *
 * <pre>{@code
 * TaskAdapters tasks = TaskAdapters.read(Map.of("rte", rteDir, "cb", cbDir), registry);
 * LoadedModel model = LoadedModel.open(dir, List.of(tasks.method()), ...);
 * int slot = tasks.slot(row.task(), "data.jsonl row 3");
 * }</pre>
 */
public final class TaskAdapters {
  private final List<String> tasks;
  private final ActiveMethod method;

  private TaskAdapters(List<String> tasks, ActiveMethod method) {
    this.tasks = tasks;
    this.method = method;
  }

  /** Reads every adapter directory and checks that they can share one graph. */
  public static TaskAdapters read(Map<String, Path> byTask, PluginRegistry registry) {
    if (byTask.isEmpty()) {
      throw new IllegalArgumentException("no task adapters");
    }
    List<String> tasks = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    ActiveMethod first = null;
    String firstTask = null;
    for (Map.Entry<String, Path> e : new LinkedHashMap<>(byTask).entrySet()) {
      Path dir = e.getValue();
      AdapterDirectory.Spec spec = AdapterDirectory.read(dir, registry);
      ConfigSection config = ConfigSection.validate(AdapterDirectory.configFile(dir) + ": tfew_config",
          spec.provider().configFields(), spec.methodConfig());
      if (first == null) {
        first = new ActiveMethod(spec.provider().name(), spec.provider(), config, Optional.empty());
        firstTask = e.getKey();
      } else {
        requireCompatible(firstTask, first, e.getKey(), spec.provider().name(), config);
      }
      tasks.add(e.getKey());
      dirs.add(dir);
    }
    ActiveMethod active = new ActiveMethod(first.name(), first.provider(), first.config(), Optional.empty(), dirs);
    return new TaskAdapters(List.copyOf(tasks), active);
  }

  private static void requireCompatible(String firstTask, ActiveMethod first, String task, String method,
      ConfigSection config) {
    if (!first.name().equals(method)) {
      throw new TfewException("--adapter " + task + "=...: method '" + method + "' differs from task '" + firstTask
          + "''s method '" + first.name() + "'; one call can mix tasks of a single method only. Score the "
          + "tasks of each method in separate calls.");
    }
    Map<String, Object> a = first.config().asMap();
    Map<String, Object> b = config.asMap();
    for (String key : a.keySet()) {
      if (!Objects.equals(a.get(key), b.get(key))) {
        throw new TfewException("--adapter " + task + "=...: " + method + "." + key + " is " + b.get(key)
            + " but task '" + firstTask + "' has " + a.get(key) + "; adapters mixed in one call need the same "
            + "options, because they share one graph. Score these tasks in separate calls.");
      }
    }
  }

  /** The method to activate, with one adapter directory per task slot. */
  public ActiveMethod method() {
    return method;
  }

  /** The task names in slot order. */
  public List<String> tasks() {
    return tasks;
  }

  /**
   * The slot of a row's task; {@code where} names the row in errors (file and row number).
   *
   * @throws TfewException when the row has no task or names one without an adapter
   */
  public int slot(Optional<String> task, String where) {
    if (task.isEmpty()) {
      throw new TfewException(where + ": no \"task\" field; with --adapter TASK=DIR every row must name its "
          + "task, one of " + tasks);
    }
    int slot = tasks.indexOf(task.get());
    if (slot < 0) {
      throw new TfewException(where + ": task \"" + task.get() + "\" has no adapter; known tasks: " + tasks
          + " (add --adapter " + task.get() + "=DIR or fix the row)");
    }
    return slot;
  }
}
