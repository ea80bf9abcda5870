package io.tfew.core.model;

import io.tfew.api.model.ModelDims;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteContext;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The {@link SiteContext} core hands to rewrites: one per group of rows (encoder rows, decoder rows). */
record ModelSiteContext(Ops tf, Parameters parameters, ModelDims dims, Operand<TInt32> rowTask,
    int taskCount, boolean training, T5Model.Dropout dropouts) implements SiteContext {

  ModelSiteContext scoped(String path) {
    return new ModelSiteContext(tf.withSubScope(path), parameters, dims, rowTask, taskCount, training, dropouts);
  }

  @Override
  public Operand<TFloat32> dropout(Operand<TFloat32> x, double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("dropout rate " + rate + " is not in [0, 1)");
    }
    return dropouts.apply(tf, x, rate);
  }
}
