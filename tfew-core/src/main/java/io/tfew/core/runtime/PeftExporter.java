package io.tfew.core.runtime;

import io.tfew.api.TfewException;
import io.tfew.api.peft.PeftExport;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.files.AtomicFile;
import io.tfew.core.files.InputFile;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.score.RankScoringGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Writes a tfew adapter in Hugging Face PEFT's layout ({@code tfew adapter export}).
 *
 * <p>Methods whose saved file already is PEFT's (ia3, lora, prompt_tuning) are copied as they are. A method
 * that saves a layout of its own gives its PEFT form through {@link PeftMethod#peftExport()}, computed
 * here from the adapter's parameters: the graph is built from {@code config.json} and the adapter loaded,
 * but no base weight is read, since a PEFT form depends on the adapter alone.
 *
 * <pre>{@code
 * String peftType = PeftExporter.export(T5Config.read(modelDir.resolve("config.json")),
 *     new ActiveMethod("ia3", provider, options, Optional.of(Path.of("runs/rte/adapter"))), Path.of("peft-out"));
 * }</pre>
 */
public final class PeftExporter {
  private PeftExporter() {}

  /** Exports {@code method} with its adapter directory onto {@code out}; returns the PEFT type written. */
  public static String export(T5Config config, ActiveMethod method, Path out) {
    Path dir = method.adapterDir().orElseThrow(() -> new IllegalArgumentException("no adapter to export"));
    PeftMethod m = method.provider().create(method.config());
    SiteRewrites rewrites = new SiteRewrites(List.of(new SiteRewrites.Active(method.name(), m,
        method.config().asMap())));
    try (ModelGraph graph = new ModelGraph(config, rewrites, false, 1, 0L)) {
      RankScoringGraph.build(graph.ops(), graph.model());
      Optional<PeftExport> export = m.peftExport();
      if (export.isEmpty()) {
        Object type = m.adapterConfig().get("peft_type");
        if (type == null) {
          throw new TfewException(dir + ": method '" + method.name() + "' has no Hugging Face PEFT form; its "
              + "adapter stays in tfew's layout");
        }
        copy(dir, out);
        return type.toString();
      }
      if (sameDirectory(dir, out)) {
        throw new TfewException(out + ": is the adapter being exported; write the PEFT form to another directory, "
            + "since it would replace the " + method.name() + " adapter that training can continue from");
      }
      try (Session session = graph.startSession()) {
        TrainableParameters parameters = graph.parameters();
        AdapterDirectory.load(dir, method.name(), m, parameters, session);
        Map<String, FloatTensor> tensors = fetchAll(session, export.get().tensors());
        AdapterDirectory.writePeft(out, tensors, export.get().adapterConfig());
      }
      return String.valueOf(export.get().adapterConfig().get("peft_type"));
    }
  }

  /** All exported tensors in one run: each distinct run costs TensorFlow a pruning pass over the whole graph. */
  private static Map<String, FloatTensor> fetchAll(Session session, Map<String, Operand<TFloat32>> values) {
    Map<String, FloatTensor> out = new TreeMap<>();
    if (values.isEmpty()) {
      return out;
    }
    List<String> keys = new ArrayList<>(values.keySet());
    Session.Runner runner = session.runner();
    keys.forEach(k -> runner.fetch(values.get(k)));
    try (Result r = runner.run()) {
      for (int i = 0; i < keys.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        float[] v = new float[Math.toIntExact(t.shape().size())];
        t.asRawTensor().data().asFloats().read(v);
        out.put(keys.get(i), new FloatTensor(t.shape().asArray(), v));
      }
    }
    return out;
  }

  private static boolean sameDirectory(Path a, Path b) {
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  private static void copy(Path from, Path to) {
    if (sameDirectory(from, to)) {
      return;
    }
    try {
      Files.createDirectories(to);
    } catch (IOException e) {
      throw new TfewException(to + ": cannot create the directory (" + e.getMessage() + ")");
    }
    // Checked before copying either file, so a refused adapter leaves --out as it was.
    List<Path> sources = List.of(AdapterDirectory.CONFIG_FILE, AdapterDirectory.WEIGHTS_FILE).stream()
        .map(name -> InputFile.insideDirectory(from, from.resolve(name))).toList();
    for (Path source : sources) {
      AtomicFile.write(to.resolve(source.getFileName().toString()), out -> Files.copy(source, out));
    }
  }
}
