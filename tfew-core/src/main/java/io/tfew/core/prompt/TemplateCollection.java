package io.tfew.core.prompt;

import io.tfew.api.TfewException;
import io.tfew.core.files.InputFile;
import io.tfew.core.files.Utf8Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The templates of one promptsource {@code templates.yaml} file (one dataset or subset).
 *
 * <pre>{@code
 * TemplateCollection rte = TemplateCollection.load(Path.of("super_glue/rte/templates.yaml"));
 * List<PromptTemplate> prompts = rte.originalTask(); // what T-Few trains and evaluates on
 * }</pre>
 *
 * <p>Templates are kept in promptsource's {@code all_template_names} order, i.e. sorted by name,
 * because T-Few's {@code train_template_idx}/{@code eval_template_idx} index that list.
 *
 * <p>Loading is safe against hostile files: only promptsource's {@code !Template} and
 * {@code !TemplateMetadata} tags are accepted (as plain maps), aliases of collections are capped
 * (billion-laughs), duplicate keys are errors, and files over 10 MB are refused.
 */
public final class TemplateCollection {
  /** The most aliases to lists or maps a file may use; promptsource's files use none. */
  static final int MAX_ALIASES = 10;
  /** The largest file read, in code points; promptsource's largest is well under 1 MB. */
  static final int CODE_POINT_LIMIT = 10 * 1024 * 1024;
  /**
   * T-Few's dataset readers that cut their default ({@code template_idx = -1}) template list after the
   * original-task filter, keyed by promptsource {@code dataset/subset}: {@code COPAReader.get_template}
   * returns {@code [:8]} (r-three/t-few, src/data/dataset_readers.py). In name order the eight are the
   * templates that apply to every row; the four cut ones each render only for cause or only for effect
   * questions.
   */
  private static final Map<String, Integer> TFEW_READER_CUTS = Map.of("super_glue/copa", 8);

  private final Path file;
  private final String dataset;
  private final String subset;
  private final List<PromptTemplate> templates;

  private TemplateCollection(
      Path file, String dataset, String subset, List<PromptTemplate> templates) {
    this.file = file;
    this.dataset = dataset;
    this.subset = subset;
    this.templates = List.copyOf(templates);
  }

  /**
   * Reads a promptsource {@code templates.yaml}.
   *
   * @throws TfewException naming the file, the template and the field when the file is missing,
   *     not valid YAML, uses a forbidden tag or alias bomb, or lacks a required field
   */
  public static TemplateCollection load(Path templatesYaml) {
    String fix = "point at a promptsource templates.yaml, e.g. promptsource/templates/super_glue/rte/templates.yaml";
    if (!Files.exists(templatesYaml)) {
      throw new TfewException("templates file " + templatesYaml + " does not exist; " + fix);
    }
    InputFile.regular(templatesYaml, fix);
    Object root;
    try {
      // Decoded first, so that a bad byte is reported on its own line.
      root = yaml().load(Utf8Text.decode(templatesYaml, Files.readAllBytes(templatesYaml), 1));
    } catch (IOException e) {
      throw new TfewException("templates file " + templatesYaml + " cannot be read (" + e + ")", e);
    } catch (YAMLException e) {
      throw new TfewException(
          templatesYaml + ": not a safe promptsource templates file: "
              + oneLine(e.getMessage())
              + "; only plain YAML with the !Template and !TemplateMetadata tags is accepted"
              + " (no other tags, no alias expansion, no duplicate keys)",
          e);
    }
    return fromYaml(templatesYaml, root);
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setCodePointLimit(CODE_POINT_LIMIT);
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(20);
    DumperOptions dumper = new DumperOptions();
    return new Yaml(
        new PromptsourceYamlConstructor(options), new Representer(dumper), dumper, options);
  }

  private static TemplateCollection fromYaml(Path file, Object root) {
    if (!(root instanceof Map<?, ?> top)) {
      throw new TfewException(
          file + ": expected a mapping with \"dataset\" and \"templates\" at the top level, got "
              + describe(root) + "; is this a promptsource templates.yaml?");
    }
    Object dataset = top.get("dataset");
    Object subset = top.get("subset");
    Object all = top.get("templates");
    if (!(all instanceof Map<?, ?> byId)) {
      throw new TfewException(
          file + ": field \"templates\" must be a mapping from template id to !Template, got "
              + describe(all) + "; is this a promptsource templates.yaml?");
    }
    List<PromptTemplate> templates = new ArrayList<>();
    for (Map.Entry<?, ?> e : byId.entrySet()) {
      templates.add(template(file, String.valueOf(e.getKey()), e.getValue()));
    }
    Set<String> names = new LinkedHashSet<>();
    for (PromptTemplate t : templates) {
      if (!names.add(t.name())) {
        throw new TfewException(
            file + ": templates." + t.id() + ": name \"" + t.name()
                + "\" is used by two templates; template names must be unique, rename one");
      }
    }
    // promptsource's DatasetTemplates.all_template_names is sorted(names); keep that order.
    templates.sort(Comparator.comparing(PromptTemplate::name));
    return new TemplateCollection(
        file, dataset == null ? null : dataset.toString(),
        subset == null ? null : subset.toString(), templates);
  }

  private static PromptTemplate template(Path file, String key, Object value) {
    String where = file + ": templates." + key;
    if (!(value instanceof Map<?, ?> t)) {
      throw new TfewException(
          where + ": expected a !Template mapping, got " + describe(value)
              + "; give id, name, jinja, answer_choices and metadata");
    }
    String id = requiredString(where, t, "id");
    if (!id.equals(key)) {
      throw new TfewException(
          where + ": field \"id\" is " + id + " but the key is " + key
              + "; the key must equal the template's id");
    }
    String name = requiredString(where, t, "name");
    String jinja = requiredString(where, t, "jinja");
    Object choices = t.get("answer_choices");
    if (choices != null && !(choices instanceof String)) {
      throw new TfewException(
          where + ": field \"answer_choices\" must be a string like 'Yes ||| No' or null, got "
              + describe(choices) + "; quote it");
    }
    Object metadata = t.get("metadata");
    if (!(metadata instanceof Map<?, ?> meta)) {
      throw new TfewException(
          where + ": field \"metadata\" must be a !TemplateMetadata mapping, got "
              + describe(metadata) + "; add metadata with original_task, choices_in_prompt"
              + " and metrics");
    }
    boolean originalTask = bool(where + ".metadata", meta, "original_task");
    boolean choicesInPrompt = bool(where + ".metadata", meta, "choices_in_prompt");
    Object metrics = meta.get("metrics");
    List<String> metricNames = new ArrayList<>();
    if (metrics instanceof Collection<?> list) {
      for (Object m : list) {
        metricNames.add(String.valueOf(m));
      }
    } else if (metrics != null) {
      throw new TfewException(
          where + ".metadata: field \"metrics\" must be a list such as [Accuracy], got "
              + describe(metrics));
    }
    return new PromptTemplate(
        id, name, jinja, (String) choices, originalTask, choicesInPrompt, metricNames);
  }

  private static String requiredString(String where, Map<?, ?> map, String field) {
    Object v = map.get(field);
    if (v == null) {
      throw new TfewException(where + ": field \"" + field + "\" is missing; add it");
    }
    if (!(v instanceof String s)) {
      throw new TfewException(
          where + ": field \"" + field + "\" must be a string, got " + describe(v)
              + "; quote the value");
    }
    return s;
  }

  private static boolean bool(String where, Map<?, ?> map, String field) {
    Object v = map.get(field);
    if (v == null) {
      // promptsource's TemplateMetadata defaults both flags to True.
      return true;
    }
    if (!(v instanceof Boolean b)) {
      throw new TfewException(
          where + ": field \"" + field + "\" must be true or false, got " + describe(v));
    }
    return b;
  }

  private static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    String text = String.valueOf(v);
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return v.getClass().getSimpleName() + " " + text;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
  }

  /** The file this collection was read from. */
  public Path file() {
    return file;
  }

  /** The top-level {@code dataset} field, e.g. {@code super_glue}; null when absent. */
  public String dataset() {
    return dataset;
  }

  /** The top-level {@code subset} field, e.g. {@code rte}; null when absent. */
  public String subset() {
    return subset;
  }

  /** All templates, sorted by name (promptsource's {@code all_template_names} order). */
  public List<PromptTemplate> all() {
    return templates;
  }

  /**
   * The templates T-Few uses by default ({@code template_idx = -1}): those whose
   * {@code metadata.original_task} is true, sorted by name.
   */
  public List<PromptTemplate> originalTask() {
    return templates.stream().filter(PromptTemplate::originalTask).toList();
  }

  /**
   * The named templates, in the order given.
   *
   * @throws TfewException naming the file and listing the known names when a name is unknown
   */
  public List<PromptTemplate> byNames(List<String> names) {
    List<PromptTemplate> chosen = new ArrayList<>(names.size());
    for (String name : names) {
      chosen.add(
          templates.stream()
              .filter(t -> t.name().equals(Objects.requireNonNull(name, "name")))
              .findFirst()
              .orElseThrow(
                  () -> new TfewException(
                      file + ": no template named \"" + name + "\"; known names: "
                          + templates.stream()
                              .map(t -> "\"" + t.name() + "\"")
                              .collect(Collectors.joining(", ")))));
    }
    return List.copyOf(chosen);
  }

  /**
   * What T-Few trains and evaluates on by default: {@link #originalTask()}, then the first {@code n} of
   * them where T-Few's reader for this {@code dataset/subset} keeps only {@code n} (COPA: 8 of 12).
   */
  public List<PromptTemplate> tfewDefault() {
    List<PromptTemplate> original = originalTask();
    Integer cut = TFEW_READER_CUTS.get(subset == null ? dataset : dataset + "/" + subset);
    return cut == null || original.size() <= cut ? original : List.copyOf(original.subList(0, cut));
  }

  /**
   * T-Few's selection: the named templates when {@code names} is non-empty, otherwise
   * {@link #tfewDefault()} when {@code originalTaskOnly}, otherwise {@link #all()}.
   */
  public List<PromptTemplate> select(List<String> names, boolean originalTaskOnly) {
    if (!names.isEmpty()) {
      return byNames(names);
    }
    return originalTaskOnly ? tfewDefault() : all();
  }
}
