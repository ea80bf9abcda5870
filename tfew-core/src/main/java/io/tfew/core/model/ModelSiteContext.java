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
    // Checked here as well as where the mask is drawn: an evaluation graph draws none, and a rate it would
    // refuse in training must fail there too.
    StatelessDropout.threshold(rate);
    return dropouts.apply(tf, x, rate);
  }
}
