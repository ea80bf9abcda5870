package io.tfew.peft.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.lm.TeacherForcedGraph;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.testing.FixtureBatch;
import io.tfew.core.testing.ExpectedTensors;
import io.tfew.core.testing.ParityModel;
import io.tfew.core.testing.SharedFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Shared helpers: the provider as core discovers it, fixture matrices as a PEFT adapter directory. */
final class LoraTestKit {
  static final double TOLERANCE = 1e-4;
  /** The name ParityModel gives its first rewriter. */
  static final String NAME = "fixture0";

  private LoraTestKit() {}

  static PeftMethodProvider provider() {
    return PluginRegistry.discover().method("lora", "test: peft.method");
  }

  static ConfigSection section(Map<String, ?> raw) {
    return ConfigSection.validate("test: peft", provider().configFields(), raw);
  }

  static LoraMethod create(Map<String, ?> raw) {
    return (LoraMethod) provider().create(section(raw));
  }

  static ExpectedTensors expected(String fixture) {
    return new ExpectedTensors(SharedFixtures.path("fixtures/t5-parity/" + fixture + "/expected.safetensors"));
  }

  /** Module paths the fixture has LoRA matrices for ({@code lora_A.<module>}). */
  static List<String> loraModules(ExpectedTensors e) {
    return e.names().stream().filter(n -> n.startsWith("lora_A.")).map(n -> n.substring(7)).sorted().toList();
  }

  /**
   * The fixture's matrices as PEFT's {@code save_pretrained} lays them out: {@code adapter_model.safetensors}
   * with {@code base_model.model.<module>.lora_A.weight [r, in]} / {@code lora_B.weight [out, r]} and an
   * {@code adapter_config.json} without tfew's record, so loading goes through {@code configFromPeft}.
   */
  static Path writePeftAdapter(ExpectedTensors e, Path dir) {
    Map<String, FloatTensor> tensors = new TreeMap<>();
    for (String module : loraModules(e)) {
      tensors.put("base_model.model." + module + ".lora_A.weight",
          new FloatTensor(e.shape("lora_A." + module), e.floats("lora_A." + module)));
      tensors.put("base_model.model." + module + ".lora_B.weight",
          new FloatTensor(e.shape("lora_B." + module), e.floats("lora_B." + module)));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("peft_type", "LORA");
    json.put("task_type", "SEQ_2_SEQ_LM");
    json.put("base_model_name_or_path", "tiny");
    json.put("r", 4);
    json.put("lora_alpha", 8);
    json.put("lora_dropout", 0.05);
    json.put("target_modules", List.of("q", "v")); // PEFT's T5 default, as a suffix list
    json.put("fan_in_fan_out", false);
    json.put("bias", "none");
    json.put("use_rslora", false);
    json.put("use_dora", false);
    json.put("rank_pattern", Map.of());
    json.put("alpha_pattern", Map.of());
    json.put("modules_to_save", null);
    json.put("init_lora_weights", true);
    json.put("inference_mode", true);
    json.put("peft_version", "0.20.0");
    try {
      Files.createDirectories(dir);
      SafetensorsWriter.write(dir.resolve(AdapterDirectory.WEIGHTS_FILE), tensors, Map.of("format", "pt"));
      new ObjectMapper().writeValue(dir.resolve(AdapterDirectory.CONFIG_FILE).toFile(), json);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return dir;
  }

  /** The method an adapter directory describes, as {@code tfew score --adapter} creates it. */
  static PeftMethod methodFor(Path adapter) {
    AdapterDirectory.Spec spec = AdapterDirectory.read(adapter, PluginRegistry.discover());
    return spec.provider().create(ConfigSection.validate("adapter", spec.provider().configFields(),
        spec.methodConfig()));
  }

  /** Teacher-forced logits of the fixture batch with the given task per row. */
  static float[] logits(Session session, TeacherForcedGraph lm, ParityModelInputs in, int... tasks) {
    try (TInt32 t = TInt32.tensorOf(Shape.of(tasks.length))) {
      t.asRawTensor().data().asInts().write(tasks);
      try (Result r = session.runner().feed(lm.inputIds, in.ids).feed(lm.inputMask, in.mask)
          .feed(lm.labels, in.labels).feed(lm.taskIds, t).fetch(lm.logits).run()) {
        return ParityModel.read(r, 0);
      }
    }
  }

  /** The fixture batch's feeds, for graphs that ParityModel does not build (several task slots). */
  static final class ParityModelInputs implements AutoCloseable {
    final TInt32 ids;
    final TFloat32 mask;
    final TInt32 labels;

    ParityModelInputs(ExpectedTensors e) {
      ids = ints(e, "input_ids");
      labels = ints(e, "labels");
      int[] m = e.ints("attention_mask");
      float[] f = new float[m.length];
      for (int i = 0; i < m.length; i++) {
        f[i] = m[i];
      }
      mask = TFloat32.tensorOf(Shape.of(e.shape("attention_mask")));
      mask.asRawTensor().data().asFloats().write(f);
    }

    private static TInt32 ints(ExpectedTensors e, String name) {
      TInt32 t = TInt32.tensorOf(Shape.of(e.shape(name)));
      t.asRawTensor().data().asInts().write(e.ints(name));
      return t;
    }

    @Override
    public void close() {
      ids.close();
      mask.close();
      labels.close();
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    return FixtureBatch.maxAbsDiff(a, b);
  }
}
