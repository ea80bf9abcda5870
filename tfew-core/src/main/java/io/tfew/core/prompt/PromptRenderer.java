package io.tfew.core.prompt;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import io.tfew.api.TfewException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;

/**
 * Applies promptsource templates to dataset rows the way promptsource's {@code Template.apply}
 * does, with Jinjava standing in for Jinja2.
 *
 * <pre>{@code
 * PromptRenderer renderer = new PromptRenderer();
 * Optional<RenderedPrompt> p = renderer.render(template, row);
 * p.ifPresent(r -> System.out.println(r.input() + " -> " + r.target() + " " + r.labelIndex()));
 * }</pre>
 *
 * <p>What is reproduced from promptsource (templates.py, commit 7dab96a):
 *
 * <ul>
 *   <li>{@code answer_choices} is rendered first, split on {@code |||} and each choice stripped;
 *       the list is then bound as the variable {@code answer_choices} for the main template.
 *   <li>Every {@code }}} is rewritten to {@code | string | truncate(2048) }}}, so one variable
 *       contributes at most about 2048 characters (Jinja2's truncate: 5 characters of leeway,
 *       cut at a word boundary, {@code ...} appended).
 *   <li>{@code |||} inside row strings is protected before rendering and restored after
 *       splitting, so text containing the separator cannot shift the target.
 *   <li>The output is split on {@code |||} and each part stripped.
 *   <li>Undefined variables render empty (Jinja2's default {@code Undefined}).
 *   <li>Python {@code str} methods used by the templates ({@code lower()}, {@code split(" ")},
 *       ...) behave as in Python.
 * </ul>
 *
 * <p>A row whose input renders empty, or whose target renders empty when the template declares
 * one, yields {@link Optional#empty()}: promptsource/T0 drop such pairs, and it is how
 * question-specific templates (COPA's "What could happen next" asks only effect questions) opt
 * out of the other rows. Template errors (bad syntax, unknown filters) are thrown.
 *
 * <p>Thread safe: one instance can serve all templates.
 */
public final class PromptRenderer {
  /** promptsource's {@code TEXT_VAR_LENGTH}: the most characters one {@code {{ }}} may emit. */
  public static final int TEXT_VAR_LENGTH = 2048;

  /** Jinja2's default {@code truncate.leeway} policy. */
  private static final int TRUNCATE_LEEWAY = 5;

  private static final String TRUNCATE_FILTER = "promptsource_truncate";

  /** promptsource's {@code Template.pipe_protector}. */
  static final String PIPE_PROTECTOR = "3ed2dface8203c4c9dfb1a5dc58e41e0";

  /** The most characters one rendering, or any string inside it, may hold; a guard against runaway templates. */
  static final long MAX_OUTPUT = 4L * 1024 * 1024;

  /**
   * The most loop iterations (values Jinjava wraps) one rendering may take. promptsource's templates
   * take at most a few hundred per row; three nested {@code range(1000)} loops would take 10^9.
   */
  static final long MAX_STEPS = 1_000_000;

  /** The most elements of a list or map built while rendering. */
  private static final int MAX_COLLECTION = 100_000;

  private static final Pattern SPLIT = Pattern.compile(Pattern.quote(PromptTemplate.SEPARATOR));

  private final Jinjava jinjava;

  public PromptRenderer() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withElResolver(resolver)
            .withFailOnUnknownTokens(false)
            .withMaxOutputSize(MAX_OUTPUT)
            .withMaxStringLength(MAX_OUTPUT)
            .withMaxListSize(MAX_COLLECTION)
            .withMaxMapSize(MAX_COLLECTION)
            // Jinjava re-renders any output that looks like Jinja by default, so a row's text
            // "{{ hypothesis }}" would be evaluated; Jinja2 (promptsource) prints it as written.
            .withNestedInterpretationEnabled(false)
            .withInterperterFactory(new BoundedInterpreterFactory())
            .build();
    jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFilter(new TruncateFilter());
    // include, import, from and extends would read templates from the classpath (or anywhere a
    // locator reaches); promptsource templates are self-contained, so nothing is ever found.
    jinjava.setResourceLocator((name, encoding, interpreter) -> {
      throw new IOException("templates may not include, import or extend other files ('" + name + "')");
    });
  }

  /**
   * Renders {@code template} on {@code row}.
   *
   * @param row the dataset row, with Hugging Face field names (see {@code io.tfew.core.data})
   * @return the input, target and answer choices, or empty when the row renders an empty input
   *     or an empty target (the pair is skipped, as promptsource does)
   * @throws TfewException when the template cannot be rendered (syntax error, unknown filter) or
   *     renders more than one {@code |||}
   */
  public Optional<RenderedPrompt> render(PromptTemplate template, Map<String, Object> row) {
    if (row.containsKey("answer_choices")) {
      throw new TfewException(
          "template \"" + template.name() + "\": the row has a field \"answer_choices\", a name"
              + " promptsource reserves for the template's choices; rename that field");
    }
    Map<String, Object> protectedRow = protectPipes(row);
    List<String> protectedChoices = answerChoices(template, protectedRow);
    List<String> choices = protectedChoices.stream().map(PromptRenderer::restorePipes).toList();

    Map<String, Object> bindings = new HashMap<>(protectedRow);
    // promptsource binds the restored choices, so a choice holding "|||" would break its split;
    // binding the protected ones renders such rows correctly and changes nothing else.
    bindings.put("answer_choices", template.answerChoices() == null ? null : protectedChoices);
    // promptsource's apply(truncate=True) rewrites the template text exactly like this.
    String jinja = template.jinja().replace("}}", " | " + TRUNCATE_FILTER + " }}");
    String output = renderText(template, "jinja", jinja, bindings);

    String[] parts = SPLIT.split(output, -1);
    if (parts.length > 2) {
      throw new TfewException(
          "template \"" + template.name() + "\" (" + template.id() + ") renders "
              + (parts.length - 1) + " '|||' separators; a template must render"
              + " 'input ||| target' with at most one, fix its jinja");
    }
    String input = restorePipes(pythonStrip(parts[0]));
    String target = parts.length == 2 ? restorePipes(pythonStrip(parts[1])) : "";
    if (input.isEmpty() || (template.hasTarget() && target.isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(new RenderedPrompt(input, target, choices));
  }

  /** The rendered choices, stripped, with row text's "|||" still protected. */
  private List<String> answerChoices(PromptTemplate template, Map<String, Object> row) {
    if (template.answerChoices() == null) {
      return List.of();
    }
    // get_answer_choices_list renders without truncation.
    String rendered = renderText(template, "answer_choices", template.answerChoices(), row);
    List<String> choices = new ArrayList<>();
    for (String c : SPLIT.split(rendered, -1)) {
      choices.add(pythonStrip(c)); // still protected; restored by the caller
    }
    return choices;
  }

  private String renderText(
      PromptTemplate template, String field, String text, Map<String, Object> bindings) {
    RenderResult result;
    try {
      result = jinjava.renderForResult(text, bindings);
    } catch (RuntimeException e) {
      if (stepLimit(e) != null) {
        throw tooManySteps(template, field);
      }
      throw new TfewException(
          "template \"" + template.name() + "\" (" + template.id() + "): " + field
              + " cannot be rendered (" + e.getMessage() + "); fix the template's Jinja", e);
    }
    List<TemplateError> errors =
        result.getErrors().stream()
            .filter(e -> e.getSeverity() != TemplateError.ErrorType.WARNING)
            .toList();
    if (errors.stream().anyMatch(e -> stepLimit(e.getException()) != null)) {
      throw tooManySteps(template, field);
    }
    if (!errors.isEmpty()) {
      throw new TfewException(
          "template \"" + template.name() + "\" (" + template.id() + "): " + field
              + " cannot be rendered: "
              + errors.stream()
                  .map(e -> "line " + e.getLineno() + ": " + e.getMessage())
                  .collect(Collectors.joining("; "))
              + "; fix the template's Jinja (Jinja2 features Jinjava lacks are not supported)");
    }
    return result.getOutput();
  }

  private static TfewException tooManySteps(PromptTemplate template, String field) {
    return new TfewException(
        "template \"" + template.name() + "\" (" + template.id() + "): " + field
            + " takes more than " + MAX_STEPS + " loop steps on one row; a prompt template loops over a"
            + " row's few fields, so simplify the template's loops");
  }

  /** The step-limit exception inside {@code e}, whether Jinjava threw it on or wrapped it. */
  private static StepLimitExceeded stepLimit(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StepLimitExceeded s) {
        return s;
      }
    }
    return null;
  }

  /** Thrown from inside Jinjava when a rendering exceeds {@link #MAX_STEPS}. */
  private static final class StepLimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepLimitExceeded() {
      super("more than " + MAX_STEPS + " loop steps", null, false, false);
    }
  }

  /**
   * Interpreters that count the values Jinjava wraps (each loop iteration wraps its item) against one
   * budget per rendering. Jinjava has no limit on loop iterations: range() is bounded per call, but
   * nested loops multiply, and output limits do not see loops that print nothing.
   */
  private static final class BoundedInterpreterFactory implements InterpreterFactory {
    @Override
    public JinjavaInterpreter newInstance(JinjavaInterpreter parent) {
      return new BoundedInterpreter(parent);
    }

    @Override
    public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig config) {
      return new BoundedInterpreter(application, context, config);
    }
  }

  private static final class BoundedInterpreter extends JinjavaInterpreter {
    /** Shared with the interpreters derived from this one (macros, child scopes). */
    private final long[] steps;

    BoundedInterpreter(Jinjava application, Context context, JinjavaConfig config) {
      super(application, context, config);
      steps = new long[1];
    }

    BoundedInterpreter(JinjavaInterpreter parent) {
      super(parent);
      steps = parent instanceof BoundedInterpreter b ? b.steps : new long[1];
    }

    @Override
    public Object wrap(Object object) {
      if (++steps[0] > MAX_STEPS) {
        throw new StepLimitExceeded();
      }
      return super.wrap(object);
    }
  }

  private static Map<String, Object> protectPipes(Map<String, Object> row) {
    Map<String, Object> copy = new HashMap<>(row.size() + 1);
    for (Map.Entry<String, Object> e : row.entrySet()) {
      Object v = e.getValue();
      copy.put(
          e.getKey(),
          v instanceof String s ? s.replace(PromptTemplate.SEPARATOR, PIPE_PROTECTOR) : v);
    }
    return copy;
  }

  private static String restorePipes(String s) {
    return s.replace(PIPE_PROTECTOR, PromptTemplate.SEPARATOR);
  }

  /** Python's {@code str.strip()}: Unicode whitespace, which includes no-break spaces. */
  static String pythonStrip(String s) {
    int begin = 0;
    int end = s.length();
    while (begin < end && isPythonSpace(s.charAt(begin))) {
      begin++;
    }
    while (end > begin && isPythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(begin, end);
  }

  private static boolean isPythonSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  /**
   * Jinja2's {@code truncate(2048)} after {@code string}, measured in code points as Python does.
   */
  static String truncate(String s, int length) {
    int codePoints = s.codePointCount(0, s.length());
    if (codePoints <= length + TRUNCATE_LEEWAY) {
      return s;
    }
    String end = "...";
    String head = s.substring(0, s.offsetByCodePoints(0, length - end.length()));
    int space = head.lastIndexOf(' ');
    return (space < 0 ? head : head.substring(0, space)) + end;
  }

  /** Python's {@code str()} for the values rows hold. */
  private static String pythonString(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Boolean b) {
      return b ? "True" : "False";
    }
    return value.toString();
  }

  /** {@code | string | truncate(2048)} as one filter, so Jinjava's own truncate is not used. */
  private static final class TruncateFilter implements Filter {
    @Override
    public String getName() {
      return TRUNCATE_FILTER;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return truncate(pythonString(var), TEXT_VAR_LENGTH);
    }
  }
}
