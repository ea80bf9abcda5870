package io.tfew.core.model;

import io.tfew.api.model.GraphContext;
import io.tfew.api.model.ModelDims;
import io.tfew.api.model.Parameters;
import io.tfew.api.model.SiteDescriptor;
import java.util.List;
import org.tensorflow.op.Ops;

/** The {@link GraphContext} core hands to {@code beginGraph}: one per graph, scoped per method by {@link #scoped}. */
public record ModelGraphContext(Ops tf, Parameters parameters, ModelDims dims, List<SiteDescriptor> sites,
    int taskCount, boolean training) implements GraphContext {

  public ModelGraphContext {
    sites = List.copyOf(sites);
  }

  /** The same context with ops named under {@code peft_graph/<method>}, so two methods' ops never clash. */
  ModelGraphContext scoped(String method) {
    return new ModelGraphContext(tf.withSubScope(method), parameters, dims, sites, taskCount, training);
  }
}
