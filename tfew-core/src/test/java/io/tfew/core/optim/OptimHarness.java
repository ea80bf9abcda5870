package io.tfew.core.optim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Session.Runner;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A graph with ref variables set from placeholders (as TrainableParameters builds them), gradients, the
 * learning rate and the step fed through placeholders, so a test can run an optimizer step by step.
 */
final class OptimHarness implements AutoCloseable {
  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  final Placeholder<TFloat32> learningRate = tf.withName("lr").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
  final Placeholder<TFloat32> step = tf.withName("step").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
  final List<Variable<TFloat32>> variables = new ArrayList<>();
  final List<Placeholder<TFloat32>> gradientFeeds = new ArrayList<>();
  private final List<Placeholder<TFloat32>> valueFeeds = new ArrayList<>();
  private final List<Assign<TFloat32>> valueAssigns = new ArrayList<>();
  private final List<Shape> shapes = new ArrayList<>();
  private final Ops peft = tf.withSubScope("peft");
  private Session session;

  /** Declares a variable {@code peft/<name>} of the given shape. */
  Variable<TFloat32> variable(String name, long... dims) {
    Shape shape = Shape.of(dims);
    Variable<TFloat32> v = peft.withName(name).variable(shape, TFloat32.class);
    Placeholder<TFloat32> feed = peft.withName(name + ".feed").placeholder(TFloat32.class, Placeholder.shape(shape));
    valueAssigns.add(peft.withName(name + ".assign").assign(v, feed));
    valueFeeds.add(feed);
    gradientFeeds.add(peft.withName(name + ".grad").placeholder(TFloat32.class, Placeholder.shape(shape)));
    variables.add(v);
    shapes.add(shape);
    return v;
  }

  List<Operand<TFloat32>> gradients() {
    return new ArrayList<>(gradientFeeds);
  }

  Op update(Optimizer optimizer) {
    return optimizer.update(tf, variables, gradients(), learningRate, step);
  }

  Session session() {
    if (session == null) {
      session = new Session(graph);
    }
    return session;
  }

  void set(int index, float[] values) {
    try (TFloat32 t = tensor(shapes.get(index), values);
        Result r = session().runner().feed(valueFeeds.get(index), t).addTarget(valueAssigns.get(index)).run()) {
      assertThat(r.size()).isZero();
    }
  }

  /** Runs {@code update} once with one gradient per variable. */
  void step(Op update, float lr, int t, float[]... grads) {
    List<TFloat32> tensors = new ArrayList<>();
    try {
      TFloat32 lrT = TFloat32.scalarOf(lr);
      tensors.add(lrT);
      TFloat32 stepT = TFloat32.scalarOf(t);
      tensors.add(stepT);
      Runner runner = session().runner().feed(learningRate, lrT).feed(step, stepT).addTarget(update);
      for (int i = 0; i < grads.length; i++) {
        TFloat32 g = tensor(shapes.get(i), grads[i]);
        tensors.add(g);
        runner.feed(gradientFeeds.get(i), g);
      }
      try (Result r = runner.run()) {
        assertThat(r.size()).isZero();
      }
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  void run(List<Op> targets) {
    Runner runner = session().runner();
    targets.forEach(runner::addTarget);
    try (Result r = runner.run()) {
      assertThat(r.size()).isZero();
    }
  }

  float[] read(Operand<TFloat32> operand) {
    try (Result r = session().runner().fetch(operand).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  /** Evaluates operands that depend only on the gradient placeholders. */
  List<float[]> evaluate(List<Operand<TFloat32>> operands, float[]... grads) {
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Runner runner = session().runner();
      for (int i = 0; i < grads.length; i++) {
        TFloat32 g = tensor(shapes.get(i), grads[i]);
        tensors.add(g);
        runner.feed(gradientFeeds.get(i), g);
      }
      operands.forEach(runner::fetch);
      List<float[]> out = new ArrayList<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < operands.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] values = new float[(int) t.shape().size()];
          t.asRawTensor().data().asFloats().read(values);
          out.add(values);
        }
      }
      return out;
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  private static TFloat32 tensor(Shape shape, float[] values) {
    TFloat32 t = TFloat32.tensorOf(shape);
    // tensorOf leaves memory uninitialised (tensorflow-java-notes.md), so every element is written.
    t.asRawTensor().data().asFloats().write(values);
    return t;
  }

  static void assertRelativelyClose(float[] actual, double[] expected, double tolerance, String what) {
    assertThat(actual).as(what + " length").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(Math.abs(expected[i]), 1e-30);
      assertThat(Math.abs(actual[i] - expected[i]) / scale)
          .as("%s[%d]: actual %s, expected %s", what, i, actual[i], expected[i])
          .isLessThanOrEqualTo(tolerance);
    }
  }

  static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
