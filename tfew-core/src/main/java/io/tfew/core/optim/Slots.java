package io.tfew.core.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The slot variables of one optimizer instance and their zero initialisers. */
final class Slots {
  // TF-Java accepts only this pattern for one scope or op name segment (NameScope.NAME_REGEX).
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private final Map<String, Variable<TFloat32>> slots = new LinkedHashMap<>();
  private final List<Op> initializers = new ArrayList<>();
  // TF-Java renames a sub-scope opened twice ("peft", then "peft_1"), so each scope path is opened once.
  private final Map<String, Ops> scopes = new HashMap<>();

  /**
   * Creates the slot {@code name} of {@code variable}, with op name
   * {@code <scope>/<variable op name>/<name>} so that graph dumps group a variable's state.
   */
  Variable<TFloat32> create(Ops scope, Variable<TFloat32> variable, String name, Shape shape) {
    String owner = variable.op().name();
    String key = owner + "/" + name;
    if (slots.containsKey(key)) {
      throw new IllegalArgumentException("slot '" + key + "' exists already: is variable '" + owner
          + "' listed twice, or was update() called twice on one optimizer?");
    }
    Ops s = scopeFor(scope, owner);
    Variable<TFloat32> slot = s.withName(name).variable(shape, TFloat32.class);
    Operand<TFloat32> zeros = s.zeros(s.constant(shape.asArray()), TFloat32.class);
    initializers.add(s.withName(name + "_init").assign(slot, zeros));
    slots.put(key, slot);
    return slot;
  }

  Map<String, Variable<TFloat32>> view() {
    return Collections.unmodifiableMap(slots);
  }

  List<Op> initializers() {
    return Collections.unmodifiableList(initializers);
  }

  private Ops scopeFor(Ops root, String owner) {
    Ops s = root;
    StringBuilder path = new StringBuilder();
    for (String segment : owner.split("/")) {
      path.append('/').append(segment);
      Ops parent = s;
      s = scopes.computeIfAbsent(path.toString(), k -> parent.withSubScope(safe(segment)));
    }
    return s;
  }

  private static String safe(String segment) {
    if (SEGMENT.matcher(segment).matches()) {
      return segment;
    }
    String cleaned = segment.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return SEGMENT.matcher(cleaned).matches() ? cleaned : "v" + cleaned;
  }
}
