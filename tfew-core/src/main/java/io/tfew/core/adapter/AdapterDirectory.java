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
import io.tfew.core.files.AtomicFile;
import io.tfew.core.files.FileKind;
import io.tfew.core.files.InputFile;
import io.tfew.core.files.JsonFileError;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *
 * <p>A run that composes several methods saves one such directory per method, {@code adapter/<method>/},
 * each holding that method's keys only (so each is a PEFT adapter of its own, as PEFT saves every named
 * adapter of a model in a subdirectory), and {@code adapter/tfew_composition.json} listing the methods
 * in the YAML's order, the order their hooks run in. {@link #members} reads it back, so the composed
 * directory loads, scores and exports as a whole.
 */
public final class AdapterDirectory {
  public static final String CONFIG_FILE = "adapter_config.json";
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";
  public static final String TFEW_FILE = "tfew_adapter.json";
  /** The record of a composed adapter: {@code {"tfew_methods": ["ia3", "prompt_tuning"]}}. */
  public static final String COMPOSITION_FILE = "tfew_composition.json";
  private static final java.util.regex.Pattern METHOD_NAME = java.util.regex.Pattern.compile("[a-z0-9_]+");

  /** What an adapter directory says about the method that wrote it. */
  public record Spec(Path dir, PeftMethodProvider provider, Map<String, Object> methodConfig) {
    /** The file the method and its options were read from, for messages about them. */
    public Path configFile() {
      return AdapterDirectory.configFile(dir);
    }
  }

  private AdapterDirectory() {}

  /** Reads {@code adapter_config.json} and finds the installed method it names. */
  public static Spec read(Path dir, PluginRegistry registry) {
    Path configFile = configFile(dir);
    if (FileKind.of(configFile) == FileKind.ABSENT && Files.isRegularFile(dir.resolve(COMPOSITION_FILE))) {
      throw new TfewException(dir + ": holds a composed adapter (one directory per method, listed in "
          + COMPOSITION_FILE + "); pass it to 'tfew score --adapter' or 'tfew adapter export' as a whole, or pass "
          + "one of its method directories here");
    }
    if (FileKind.of(configFile) == FileKind.ABSENT) {
      throw new TfewException(dir + ": not an adapter directory (no " + CONFIG_FILE
          + "); pass the directory a training run wrote as OUT/adapter");
    }
    InputFile.insideDirectory(dir, configFile);
    Map<String, Object> config;
    try {
      // Duplicate keys are refused: which of two "r"s wins is a parser detail, not the user's intent.
      config = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .readValue(configFile.toFile(), new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new TfewException(configFile + ": " + JsonFileError.describe(e) + "; expected the JSON object tfew or "
          + "PEFT writes there");
    }
    if (config == null) {
      throw new TfewException(configFile + ": is not a JSON object; expected the JSON object tfew or PEFT writes there");
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
   * The file that records the method of the adapter in {@code dir}: tfew's own record when there is one
   * (whatever it is: a link or a FIFO there is an error, not a reason to read the other file), else PEFT's.
   */
  public static Path configFile(Path dir) {
    Path tfew = dir.resolve(TFEW_FILE);
    return FileKind.of(tfew) != FileKind.ABSENT ? tfew : dir.resolve(CONFIG_FILE);
  }

  /** The weights file of the adapter in {@code dir}, checked to be a regular file inside it. */
  static Path weightsFile(Path dir) {
    Path weights = dir.resolve(WEIGHTS_FILE);
    if (FileKind.of(weights) == FileKind.ABSENT) {
      return weights; // the reader names the missing file
    }
    return InputFile.insideDirectory(dir, weights);
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
   * Assigns the saved parameters of method {@code name} from the adapter's weights file: its trainable
   * parameters and its frozen tensors ({@code Parameters.frozen}), whose saved values replace the ones the
   * loading run drew. Every tensor the method declared must be present with its shape; extra tensors are
   * an error too, since they mean the adapter was trained with other options.
   */
  public static void load(Path dir, String name, PeftMethod method, TrainableParameters parameters,
      Session session) {
    Path weights = weightsFile(dir);
    Map<String, TrainableParameters.Declared> declared = parameters.savedBy(name);
    Map<String, float[]> values = new LinkedHashMap<>();
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
          boolean frozen = parameters.frozenBy(name).containsKey(d.key());
          throw new TfewException(weights + ": tensor '" + e.getKey() + "' is missing; method '" + name
              + "' needs it with shape " + Arrays.toString(d.shape())
              + (frozen ? " (a frozen tensor the method draws once and saves with the adapter, such as PEFT's VeRA "
                  + "projections: an adapter saved without it, e.g. with PEFT's save_projection=False, cannot be "
                  + "reproduced here; save it with the tensor)" : ""));
        }
        if (!sameUpToUnitDims(info.shape(), d.shape())) {
          throw new TfewException(weights + ": tensor '" + e.getKey() + "' has shape "
              + Arrays.toString(info.shape()) + " but method '" + name + "' needs "
              + Arrays.toString(d.shape()) + " for this model");
        }
        values.put(d.key(), requireFinite(weights, e.getKey(), reader.readFloats(e.getKey())));
        values = assignIfLarge(parameters, session, values);
      }
    }
    parameters.assign(session, values);
  }

  /**
   * Assigns what has been read so far once it reaches a run's worth, so an adapter as large as the model (full
   * fine-tuning) is never held on the heap whole; a usual adapter is assigned in one run at the end.
   */
  private static Map<String, float[]> assignIfLarge(TrainableParameters parameters, Session session,
      Map<String, float[]> pending) {
    long values = pending.values().stream().mapToLong(v -> v.length).sum();
    if (values < TrainableParameters.RUN_BATCH_VALUES) {
      return pending;
    }
    parameters.assign(session, pending);
    return new LinkedHashMap<>();
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
    Map<String, TrainableParameters.Declared> declared = parameters.savedBy(name);
    List<SafetensorsReader> readers = new ArrayList<>();
    Map<String, float[]> assigned = new LinkedHashMap<>();
    try {
      for (Path dir : dirs) {
        SafetensorsReader reader = SafetensorsReader.open(weightsFile(dir));
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
        assigned.put(d.key(), all);
        assigned = assignIfLarge(parameters, session, assigned);
      }
    } finally {
      readers.forEach(SafetensorsReader::close);
    }
    parameters.assign(session, assigned);
  }

  /**
   * Writes the record of a composed run's adapter: {@code dir/<method>/} holds each method's adapter,
   * and {@code methods} gives their order. Replaced atomically.
   */
  public static void saveComposition(Path dir, List<String> methods) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("tfew_methods", List.copyOf(methods));
    writeJsonAtomically(dir.resolve(COMPOSITION_FILE), record);
  }

  /**
   * The method directories of a composed adapter, in the order its methods run; a single-method adapter
   * directory is its own only member.
   */
  public static List<Path> members(Path dir) {
    Path record = dir.resolve(COMPOSITION_FILE);
    if (Files.isRegularFile(dir.resolve(CONFIG_FILE)) || !Files.isRegularFile(record)) {
      return List.of(dir);
    }
    Object methods;
    try {
      methods = new ObjectMapper().readValue(record.toFile(), new TypeReference<Map<String, Object>>() {})
          .get("tfew_methods");
    } catch (IOException e) {
      throw new TfewException(record + ": not a JSON object (" + e.getMessage() + ")");
    }
    if (!(methods instanceof List<?> names) || names.isEmpty()) {
      throw new TfewException(record + ": field 'tfew_methods' must be a non-empty list of method names, e.g. "
          + "[\"ia3\", \"prompt_tuning\"]");
    }
    List<Path> members = new ArrayList<>();
    for (Object name : names) {
      if (!(name instanceof String s) || !METHOD_NAME.matcher(s).matches()) {
        throw new TfewException(record + ": 'tfew_methods' entry " + name + " is not a method name (lowercase "
            + "letters, digits and _)");
      }
      Path member = dir.resolve(s);
      if (!Files.isDirectory(member)) {
        throw new TfewException(record + ": lists method '" + s + "' but " + member + " is missing; the composed "
            + "adapter is incomplete");
      }
      members.add(member);
    }
    return members;
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

  /**
   * Writes the method's parameters (trainable, then its frozen tensors) and config; each file is replaced
   * atomically.
   */
  public static void save(Path dir, String name, ConfigSection config, PeftMethod method,
      TrainableParameters parameters, Session session) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create the adapter directory (" + e.getMessage() + ")");
    }
    Map<String, FloatTensor> tensors = new TreeMap<>();
    Map<String, TrainableParameters.Declared> saved = parameters.savedBy(name);
    Map<String, float[]> values = parameters.read(session, saved.keySet());
    for (TrainableParameters.Declared d : saved.values()) {
      tensors.put(method.adapterKey(d.key()), new FloatTensor(d.shape(), values.get(d.key())));
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
    AtomicFile.write(target, out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, json));
  }
}
