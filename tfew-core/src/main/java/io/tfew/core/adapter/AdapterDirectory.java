package io.tfew.core.adapter;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethod;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsReader;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.checkpoint.TensorInfo;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.Session;

/**
 * An adapter on disk in Hugging Face PEFT's layout: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} holding one method's trained parameters.
 *
 * <p>tfew's own record of the method and its options goes into a third file, {@code tfew_adapter.json},
 * rather than into {@code adapter_config.json}: PEFT 0.6 to 0.13 refuse unknown keys there. For a
 * method PEFT lacks, {@code adapter_config.json} holds the same record. A directory PEFT wrote is
 * recognised by its {@code peft_type}.
 */
public final class AdapterDirectory {
  public static final String CONFIG_FILE = "adapter_config.json";
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";
  public static final String TFEW_FILE = "tfew_adapter.json";

  /** What an adapter directory says about the method that wrote it. */
  public record Spec(Path dir, PeftMethodProvider provider, Map<String, Object> methodConfig) {}

  private AdapterDirectory() {}

  /** The file {@link #read} takes the method's config from: tfew's record when present, else PEFT's. */
  public static Path configFile(Path dir) {
    return Files.isRegularFile(dir.resolve(TFEW_FILE)) ? dir.resolve(TFEW_FILE) : dir.resolve(CONFIG_FILE);
  }

  /** Reads {@code adapter_config.json} and finds the installed method it names. */
  public static Spec read(Path dir, PluginRegistry registry) {
    Path configFile = configFile(dir);
    if (!Files.isRegularFile(configFile)) {
      throw new TfewException(dir + ": not an adapter directory (no " + CONFIG_FILE
          + "); pass the directory a training run wrote as OUT/adapter");
    }
    Map<String, Object> config;
    try {
      // Duplicate keys are refused: which of two "r"s wins is a parser detail, not the user's intent.
      config = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .readValue(configFile.toFile(), new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new TfewException(configFile + ": not a JSON object (" + e.getMessage() + ")");
    }
    if (config == null) {
      throw new TfewException(configFile + ": holds null, not a JSON object; an adapter config is an object "
          + "with 'tfew_method' (tfew) or 'peft_type' (Hugging Face PEFT)");
    }
    Object method = config.get("tfew_method");
    if (method instanceof String name) {
      Object options = config.getOrDefault("tfew_config", Map.of());
      if (!(options instanceof Map<?, ?>)) {
        throw new TfewException(configFile + ": field 'tfew_config' must be an object of the method's options");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> typed = (Map<String, Object>) options;
      return new Spec(dir, registry.method(name, configFile + ": tfew_method"), typed);
    }
    Object peftType = config.get("peft_type");
    if (peftType instanceof String type) {
      PeftMethodProvider provider = registry.methodForPeftType(type).orElseThrow(() -> new TfewException(
          configFile + ": peft_type '" + type + "' has no installed tfew method; installed: "
              + registry.methods().keySet()));
      return new Spec(dir, provider, configFromPeft(provider, config, configFile));
    }
    throw new TfewException(configFile + ": names no method; expected 'tfew_method' (tfew) or 'peft_type' "
        + "(Hugging Face PEFT)");
  }

  /**
   * The plugin's translation of a PEFT config; its errors name the plugin's field, and here get the
   * file's path in place of the bare {@code adapter_config.json} a plugin can only know.
   */
  private static Map<String, Object> configFromPeft(PeftMethodProvider provider, Map<String, Object> config,
      Path configFile) {
    try {
      return provider.configFromPeft(config);
    } catch (TfewException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      String bare = CONFIG_FILE + ": ";
      throw new TfewException(message.startsWith(bare) ? configFile + ": " + message.substring(bare.length())
          : message.contains(configFile.toString()) ? message : configFile + ": " + message);
    } catch (RuntimeException e) {
      throw new TfewException(configFile + ": method '" + provider.name() + "' cannot read this PEFT config ("
          + e + "); check the file's fields against PEFT's " + provider.peftType().orElse("") + " config", e);
    }
  }

  /**
   * Assigns the saved parameters of method {@code name} from the adapter's weights file. Every
   * parameter the method declared must be present with its shape; extra tensors are an error too,
   * since they mean the adapter was trained with other options.
   */
  public static void load(Path dir, String name, PeftMethod method, TrainableParameters parameters,
      Session session) {
    Path weights = dir.resolve(WEIGHTS_FILE);
    Map<String, TrainableParameters.Declared> declared = parameters.declaredBy(name);
    try (SafetensorsReader reader = SafetensorsReader.open(weights)) {
      Map<String, String> byFileKey = new LinkedHashMap<>();
      for (String key : declared.keySet()) {
        byFileKey.put(method.adapterKey(key), key);
      }
      for (String fileKey : reader.tensors().keySet()) {
        if (!byFileKey.containsKey(fileKey)) {
          throw new TfewException(weights + ": tensor '" + fileKey + "' is not a parameter of method '" + name
              + "' as configured; was the adapter trained with other options or for another model?");
        }
      }
      for (Map.Entry<String, String> e : byFileKey.entrySet()) {
        TensorInfo info = reader.tensors().get(e.getKey());
        TrainableParameters.Declared d = declared.get(e.getValue());
        if (info == null) {
          throw new TfewException(weights + ": tensor '" + e.getKey() + "' is missing; method '" + name
              + "' needs it with shape " + Arrays.toString(d.shape()));
        }
        if (!sameUpToUnitDims(info.shape(), d.shape())) {
          throw new TfewException(weights + ": tensor '" + e.getKey() + "' has shape "
              + Arrays.toString(info.shape()) + " but method '" + name + "' needs "
              + Arrays.toString(d.shape()) + " for this model");
        }
        parameters.assign(session, d.key(), requireFinite(weights, e.getKey(), reader.readFloats(e.getKey())));
      }
    }
  }

  /**
   * Loads one adapter directory per task slot of a multi-task graph: slot {@code t} of every parameter
   * (its first axis, of size {@code dirs.size()}) gets the tensor of {@code dirs.get(t)}. A parameter the
   * method shares between tasks (no task axis) is accepted only when every adapter holds the same
   * values, since one graph can hold only one copy of it. Each directory must hold exactly the
   * method's parameters, as {@link #load} requires.
   */
  public static void loadPerTask(List<Path> dirs, String name, PeftMethod method, TrainableParameters parameters,
      Session session) {
    int tasks = dirs.size();
    Map<String, TrainableParameters.Declared> declared = parameters.declaredBy(name);
    List<SafetensorsReader> readers = new ArrayList<>();
    try {
      for (Path dir : dirs) {
        SafetensorsReader reader = SafetensorsReader.open(dir.resolve(WEIGHTS_FILE));
        readers.add(reader);
        Set<String> fileKeys = new HashSet<>();
        declared.keySet().forEach(k -> fileKeys.add(method.adapterKey(k)));
        for (String fileKey : reader.tensors().keySet()) {
          if (!fileKeys.contains(fileKey)) {
            throw new TfewException(dir.resolve(WEIGHTS_FILE) + ": tensor '" + fileKey + "' is not a parameter of "
                + "method '" + name + "' as configured; was the adapter trained with other options or for "
                + "another model?");
          }
        }
      }
      for (TrainableParameters.Declared d : declared.values()) {
        String fileKey = method.adapterKey(d.key());
        long[] slotShape = d.shape().length > 1 && d.shape()[0] == tasks
            ? Arrays.copyOfRange(d.shape(), 1, d.shape().length) : null;
        float[] all = new float[Math.toIntExact(d.size())];
        float[] shared = null;
        for (int t = 0; t < tasks; t++) {
          Path weights = dirs.get(t).resolve(WEIGHTS_FILE);
          TensorInfo info = readers.get(t).tensors().get(fileKey);
          if (info == null) {
            throw new TfewException(weights + ": tensor '" + fileKey + "' is missing; method '" + name
                + "' needs it with shape " + Arrays.toString(slotShape != null ? slotShape : d.shape()));
          }
          float[] values = requireFinite(weights, fileKey, readers.get(t).readFloats(fileKey));
          boolean slot = slotShape != null && sameUpToUnitDims(info.shape(), slotShape);
          if (slot && shared == null) {
            System.arraycopy(values, 0, all, t * values.length, values.length);
          } else if (!slot && sameUpToUnitDims(info.shape(), d.shape()) && (t == 0 || shared != null)) {
            if (shared != null && !Arrays.equals(shared, values)) {
              throw new TfewException("method '" + name + "' shares parameter '" + d.key() + "' between tasks, "
                  + "but " + dirs.get(0) + " and " + dirs.get(t) + " hold different values for it; adapters "
                  + "that differ there cannot be scored in one call. Score each task in its own call.");
            }
            shared = values;
            all = values;
          } else {
            throw new TfewException(weights + ": tensor '" + fileKey + "' has shape "
                + Arrays.toString(info.shape()) + " but method '" + name + "' needs "
                + Arrays.toString(slotShape != null ? slotShape : d.shape()) + " for this model");
          }
        }
        parameters.assign(session, d.key(), all);
      }
    } finally {
      readers.forEach(SafetensorsReader::close);
    }
  }

  /**
   * Refuses NaN and infinite values: they would flow into every score, which would still rank and
   * print an accuracy. (Finite but huge values, such as 3e38, are caught where scores are made.)
   */
  static float[] requireFinite(Path weights, String tensor, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new TfewException(weights + ": tensor '" + tensor + "' holds " + values[i] + " at index " + i
            + "; adapter values must be finite numbers, so this adapter is corrupt or comes from a diverged "
            + "run (retrain it, or use an earlier checkpoint)");
      }
    }
    return values;
  }

  /**
   * Shapes that differ only by axes of size 1 hold the same values in the same order: Hugging Face
   * PEFT stores (IA)^3 vectors as {@code [n, 1]} where tfew declares {@code [n]}. Anything else (say
   * {@code [8, 8]} for {@code [64]}) is another parameter and is refused.
   */
  static boolean sameUpToUnitDims(long[] a, long[] b) {
    return Arrays.equals(Arrays.stream(a).filter(d -> d != 1).toArray(),
        Arrays.stream(b).filter(d -> d != 1).toArray());
  }

  /** Writes the method's parameters and config; each file is replaced atomically. */
  public static void save(Path dir, String name, ConfigSection config, PeftMethod method,
      TrainableParameters parameters, Session session) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create the adapter directory (" + e.getMessage() + ")");
    }
    Map<String, FloatTensor> tensors = new TreeMap<>();
    for (TrainableParameters.Declared d : parameters.declaredBy(name).values()) {
      tensors.put(method.adapterKey(d.key()), new FloatTensor(d.shape(), parameters.read(session, d.key())));
    }
    SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
    Map<String, Object> tfew = new LinkedHashMap<>();
    tfew.put("tfew_method", name);
    tfew.put("tfew_config", config.asMap());
    Map<String, Object> peft = method.adapterConfig();
    writeJsonAtomically(dir.resolve(TFEW_FILE), tfew);
    writeJsonAtomically(dir.resolve(CONFIG_FILE), peft.isEmpty() ? tfew : peft);
  }

  /**
   * Writes a Hugging Face PEFT adapter: {@code adapter_model.safetensors} ({@code format: pt}) and
   * {@code adapter_config.json}, each replaced atomically, and no tfew record, so the directory reads as
   * the method PEFT names.
   */
  public static void writePeft(Path dir, Map<String, FloatTensor> tensors, Map<String, Object> adapterConfig) {
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve(TFEW_FILE));
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot prepare the adapter directory (" + e.getMessage() + ")");
    }
    SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), new TreeMap<>(tensors), Map.of("format", "pt"));
    writeJsonAtomically(dir.resolve(CONFIG_FILE), adapterConfig);
  }

  private static void writeJsonAtomically(Path target, Map<String, Object> json) {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), json);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the original error is the one worth reporting
      }
      throw new TfewException(target + ": cannot write (" + e.getMessage() + ")");
    }
  }
}
