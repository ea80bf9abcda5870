package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.api.model.GraphContext;
import io.tfew.api.model.LinearSite;
import io.tfew.api.model.ModelRewriter;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.testing.SharedFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What a plugin author sees when a method fails while the graph is built or cannot be combined with
 * another: one {@link TfewException} naming the method(s), the site and the cause.
 */
class HookErrorsTest {
  private static final String Q = "encoder.block.1.layer.0.SelfAttention.q";

  private static ModelGraph build(SiteRewrites.Active... active) {
    ModelGraph g = new ModelGraph(T5Config.read(SharedFixtures.path("fixtures/t5-parity/t0-tiny/config.json")),
        new SiteRewrites(List.of(active)), false, 1, 0L);
    try {
      RankScoringGraph.build(g.ops(), g.model());
      g.rewrites().requireEveryMethodTouchedASite(g.parameters());
      return g;
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
  }

  private static ModelRewriter failingAt(String path, java.util.function.BiFunction<LinearSite, Operand<TFloat32>,
      Operand<TFloat32>> hook) {
    return new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearOutput(LinearSite site, Operand<TFloat32> input, Operand<TFloat32> output) {
        return site.path().equals(path) ? hook.apply(site, output) : output;
      }
    };
  }

  @Test
  void anExceptionInAHookNamesTheMethodTheSiteAndTheCause() {
    ModelRewriter bad = failingAt(Q, (site, y) -> {
      throw new IllegalStateException("no scale for " + site.outFeatures());
    });
    assertThatThrownBy(() -> build(new SiteRewrites.Active("scale_bad", bad)).close())
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("PEFT method 'scale_bad'").hasMessageContaining("site " + Q)
        .hasMessageContaining("java.lang.IllegalStateException: no scale for 64");
  }

  @Test
  void aTensorFlowErrorInAHookNamesTheMethodTheSiteAndTheCause() {
    // [rows, len, 64] + [3] cannot broadcast: TensorFlow refuses the op while the graph is built.
    ModelRewriter bad = failingAt(Q, (site, y) -> site.context().tf().math.add(y,
        site.context().tf().constant(new float[3])));
    assertThatThrownBy(() -> build(new SiteRewrites.Active("shape_bad", bad)).close())
        .isInstanceOf(TfewException.class)
        .hasMessageContaining("PEFT method 'shape_bad'").hasMessageContaining("site " + Q)
        .hasMessageContaining("org.tensorflow.exceptions");
  }

  @Test
  void anExceptionInBeginGraphNamesTheMethod() {
    ModelRewriter bad = new ModelRewriter() {
      @Override
      public void beginGraph(GraphContext ctx) {
        throw new ArithmeticException("/ by zero");
      }
    };
    assertThatThrownBy(() -> build(new SiteRewrites.Active("early", bad)).close())
        .isInstanceOf(TfewException.class).hasMessageContaining("PEFT method 'early'")
        .hasMessageContaining("beginGraph").hasMessageContaining("java.lang.ArithmeticException: / by zero");
  }

  @Test
  void twoMethodsReplacingOneWeightAreRefusedNamingBoth() {
    ModelRewriter scales = new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
        return site.path().equals(Q) ? site.context().tf().math.mul(weight, site.context().tf().constant(2f)) : weight;
      }
    };
    ModelRewriter alsoScales = new ModelRewriter() {
      @Override
      public Operand<TFloat32> linearWeight(LinearSite site, Operand<TFloat32> weight) {
        return site.path().endsWith(".q") ? site.context().tf().math.mul(weight, site.context().tf().constant(3f)) : weight;
      }
    };
    assertThatThrownBy(() -> build(new SiteRewrites.Active("double_q", scales),
        new SiteRewrites.Active("triple_q", alsoScales)).close())
        .isInstanceOf(TfewException.class).hasMessageContaining("'double_q' and 'triple_q'")
        .hasMessageContaining(Q).hasMessageContaining("linearWeight");
  }

  @Test
  void twoMethodsTrainingOrReplacingOneBaseWeightAreRefusedNamingBoth() {
    String norm = "encoder.final_layer_norm.weight";
    ModelRewriter trains = new ModelRewriter() {
      @Override
      public void beginGraph(GraphContext ctx) {
        ctx.parameters().trainableBase(norm);
      }
    };
    ModelRewriter alsoTrains = new ModelRewriter() {
      @Override
      public void beginGraph(GraphContext ctx) {
        ctx.parameters().trainableBase(norm);
      }
    };
    assertThatThrownBy(() -> build(new SiteRewrites.Active("layernorm", trains),
        new SiteRewrites.Active("lora", alsoTrains)).close())
        .isInstanceOf(TfewException.class).hasMessageContaining("'layernorm' and 'lora'").hasMessageContaining(norm);

    String weight = Q + ".weight";
    ModelRewriter replaces = new ModelRewriter() {
      @Override
      public void beginGraph(GraphContext ctx) {
        ctx.parameters().replaceBaseWeight(weight);
      }
    };
    ModelRewriter alsoReplaces = new ModelRewriter() {
      @Override
      public void beginGraph(GraphContext ctx) {
        ctx.parameters().replaceBaseWeight(weight);
      }
    };
    assertThatThrownBy(() -> build(new SiteRewrites.Active("qlora", replaces),
        new SiteRewrites.Active("int8", alsoReplaces)).close())
        .isInstanceOf(TfewException.class).hasMessageContaining("'qlora' and 'int8'").hasMessageContaining(weight);
    assertThatThrownBy(() -> build(new SiteRewrites.Active("layernorm", trains),
        new SiteRewrites.Active("qlora", new ModelRewriter() {
          @Override
          public void beginGraph(GraphContext ctx) {
            ctx.parameters().replaceBaseWeight(norm);
          }
        })).close())
        .isInstanceOf(TfewException.class).hasMessageContaining("'layernorm'").hasMessageContaining("trains it");
  }

  @Test
  void aMethodMatchingNoSiteIsNamedWithItsTargetOptions() {
    ModelRewriter nothing = new ModelRewriter() { };
    assertThatThrownBy(() -> build(new SiteRewrites.Active("vera", nothing,
        Map.of("r", 4, "target_modules", List.of(".*SelfAttn\\.q")))).close())
        .isInstanceOf(TfewException.class).hasMessageContaining("PEFT method 'vera' matched no site")
        .hasMessageContaining("target_modules = [.*SelfAttn\\.q]").hasMessageNotContaining("r = 4");
    assertThatThrownBy(() -> build(new SiteRewrites.Active("plain", nothing, Map.of("factor", 2.0))).close())
        .isInstanceOf(TfewException.class).hasMessageContaining("'plain'").hasMessageContaining("factor = 2.0");
  }
}
