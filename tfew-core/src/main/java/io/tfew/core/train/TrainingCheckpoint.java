package io.tfew.core.train;

import io.tfew.api.TfewException;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.files.InputFile;
import io.tfew.core.model.TrainableParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Training state in one safetensors file: trainable parameters, optimizer slots and, in the
 * metadata, the number of updates done and the seed. One file, replaced atomically, so a crash leaves
 * either the previous state or the new one, never a mix.
 *
 * <p>Data order, template draws and dropout masks are functions of the seed and the step, so the
 * step is all the position a resumed run needs.
 */
public final class TrainingCheckpoint {
  public static final String FILE = "training_state.safetensors";
  private static final String PARAM = "param/";
  private static final String SLOT = "slot/";

  private TrainingCheckpoint() {}

  /** The state saved under {@code dir}. */
  public record State(long step, long seed) {}

  public static void save(Path dir, long step, long seed, TrainableParameters parameters, TrainingGraph graph,
      Session session) {
    Map<String, FloatTensor> tensors = new TreeMap<>();
    // One Session.run for everything: each distinct fetch list costs TensorFlow a pruned executor, which
    // on a training graph takes far longer than copying the values.
    List<String> names = new ArrayList<>();
    Session.Runner runner = session.runner();
    for (TrainableParameters.Declared d : parameters.declared().values()) {
      names.add(PARAM + d.key());
      runner.fetch(d.variable());
    }
    for (Map.Entry<String, Variable<TFloat32>> e : graph.slots.entrySet()) {
      names.add(SLOT + e.getKey());
      runner.fetch(e.getValue());
    }
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        float[] values = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(values);
        tensors.put(names.get(i), new FloatTensor(t.shape().asArray(), values));
      }
    }
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new TfewException(dir + ": cannot create the checkpoint directory (" + e.getMessage() + ")");
    }
    SafetensorsWriter.write(dir.resolve(FILE), tensors,
        Map.of("step", Long.toString(step), "seed", Long.toString(seed), "format", "tfew-training-state"));
  }

  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  /** Restores parameters and slots and returns the step to continue from. */
  public static State restore(Path dir, TrainableParameters parameters, TrainingGraph graph, Session session) {
    Path file = InputFile.insideDirectory(dir, dir.resolve(FILE));
    try (SafetensorsReader reader = SafetensorsReader.open(file)) {
      Map<String, String> meta = reader.metadata();
      if (!"tfew-training-state".equals(meta.get("format")) || !meta.containsKey("step")) {
        throw new TfewException(file + ": not a tfew training state (metadata 'format'/'step' missing)");
      }
      long step;
      long seed;
      try {
        step = Long.parseLong(meta.get("step"));
        seed = Long.parseLong(meta.getOrDefault("seed", "0"));
      } catch (NumberFormatException e) {
        throw new TfewException(file + ": metadata 'step' or 'seed' is not an integer");
      }
      for (TrainableParameters.Declared d : parameters.declared().values()) {
        String key = PARAM + d.key();
        if (!reader.tensors().containsKey(key)) {
          throw new TfewException(file + ": parameter '" + d.key() + "' is missing; the state was written "
              + "by a run with another configuration");
        }
        parameters.assign(session, d.key(), reader.readFloats(key));
      }
      for (Map.Entry<String, Variable<TFloat32>> e : graph.slots.entrySet()) {
        String key = SLOT + e.getKey();
        if (!reader.tensors().containsKey(key)) {
          throw new TfewException(file + ": optimizer state '" + e.getKey() + "' is missing; resume with the "
              + "optimizer the run was started with");
        }
        long[] shape = reader.tensors().get(key).shape();
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(shape))) {
          t.asRawTensor().data().asFloats().write(reader.readFloats(key));
          if (!Arrays.equals(shape, e.getValue().shape().asArray())) {
            throw new TfewException(file + ": optimizer state '" + e.getKey() + "' has shape "
                + Arrays.toString(shape) + ", expected " + e.getValue().shape());
          }
          try (Result r = session.runner().feed(graph.slotFeeds.get(e.getKey()), t)
              .addTarget(graph.slotAssigns.get(e.getKey())).run()) {
            // restored
          }
        }
      }
      return new State(step, seed);
    }
  }
}
