package io.tfew.core.prompt;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods for Jinjava, which otherwise calls Java's {@link String} methods.
 *
 * <p>promptsource templates are written for Jinja2, where {@code span2_text.lower()} and
 * {@code text.split(" ")} are Python calls. Java's String has no {@code lower()}, and its
 * {@code split} takes a regex and drops trailing empty strings. This resolver answers the common
 * {@code str} methods with Python's semantics before Jinjava's own resolver sees them; any other
 * call falls through unchanged.
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (!(base instanceof String s) || method == null) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result = call(s, method.toString(), args);
    if (result != NOT_HANDLED) {
      context.setPropertyResolved(true);
      return result;
    }
    return null;
  }

  private static final Object NOT_HANDLED = new Object();

  private static Object call(String s, String method, Object[] args) {
    switch (method) {
      case "lower":
        return args.length == 0 ? s.toLowerCase(Locale.ROOT) : NOT_HANDLED;
      case "upper":
        return args.length == 0 ? s.toUpperCase(Locale.ROOT) : NOT_HANDLED;
      case "capitalize":
        return args.length == 0 ? capitalize(s) : NOT_HANDLED;
      case "strip":
        return strip(s, args, true, true);
      case "lstrip":
        return strip(s, args, true, false);
      case "rstrip":
        return strip(s, args, false, true);
      case "split":
        if (args.length == 0 || args[0] == null) {
          return splitWhitespace(s);
        }
        return args.length == 1 ? split(s, args[0].toString()) : NOT_HANDLED;
      case "replace":
        return args.length == 2 ? replace(s, String.valueOf(args[0]), String.valueOf(args[1])) : NOT_HANDLED;
      case "startswith":
        return args.length == 1 ? s.startsWith(String.valueOf(args[0])) : NOT_HANDLED;
      case "endswith":
        return args.length == 1 ? s.endsWith(String.valueOf(args[0])) : NOT_HANDLED;
      default:
        return NOT_HANDLED;
    }
  }

  /**
   * Python's {@code str.replace}, refused when the result would exceed the renderer's string bound:
   * chained replaces grow a string geometrically, and it must fail before it is built.
   */
  private static String replace(String s, String old, String replacement) {
    long count = old.isEmpty() ? s.length() + 1L : occurrences(s, old);
    long length = s.length() + count * (replacement.length() - (long) old.length());
    if (length > PromptRenderer.MAX_OUTPUT) {
      throw new IllegalArgumentException("replace() would build a string of " + length + " characters; at most "
          + PromptRenderer.MAX_OUTPUT + " are allowed while rendering a prompt");
    }
    return s.replace(old, replacement);
  }

  private static long occurrences(String s, String part) {
    long n = 0;
    for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }

  private static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.offsetByCodePoints(0, 1);
    return s.substring(0, first).toUpperCase(Locale.ROOT)
        + s.substring(first).toLowerCase(Locale.ROOT);
  }

  private static Object strip(String s, Object[] args, boolean left, boolean right) {
    if (args.length > 1) {
      return NOT_HANDLED;
    }
    String chars = args.length == 0 || args[0] == null ? null : args[0].toString();
    int begin = 0;
    int end = s.length();
    while (left && begin < end && strips(s.charAt(begin), chars)) {
      begin++;
    }
    while (right && end > begin && strips(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(begin, end);
  }

  private static boolean strips(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c)
        : chars.indexOf(c) >= 0;
  }

  /** Python's {@code str.split(sep)}: a literal separator, empty strings kept at both ends. */
  private static List<String> split(String s, String sep) {
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
    List<String> parts = new ArrayList<>();
    int from = 0;
    for (int at = s.indexOf(sep); at >= 0; at = s.indexOf(sep, from)) {
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  /** Python's {@code str.split()}: runs of whitespace separate, no empty strings. */
  private static List<String> splitWhitespace(String s) {
    List<String> parts = new ArrayList<>();
    for (String p : s.strip().split("\\s+")) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    return parts;
  }

  // This resolver only answers method calls; property access is left to Jinjava's resolver.

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return Collections.emptyIterator();
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {
    // read-only: Jinjava's own resolver decides
  }
}
