package io.tfew.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tfew.core.model.RandomModels;
import io.tfew.core.model.T5Config;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step's products: their FLOPs as the PyTorch reference counts them, and the shapes that carry them. */
class StepMatmulsTest {
  @Test
  void theFlopsAreTheReferenceScriptsCountForTheBenchmarkStep() {
    // bench/torch_t5_ia3_step.py printed this count for t5-small-gated, batch 8 x 256, 2 choices of 8 tokens
    // (bench/results/bench-train.txt, where bench train compares the two counts and warns when they differ).
    List<StepMatmuls.Product> products = StepMatmuls.of(RandomModels.t5SmallGated(), 8, 256, 2, 8);
    assertThat(StepMatmuls.flops(products)).isEqualTo(250_935_771_136L);
  }

  @Test
  void eachShapeIsListedOnceWithItsCount() {
    T5Config c = RandomModels.t5SmallGated();
    List<StepMatmuls.Product> products = StepMatmuls.of(c, 8, 256, 2, 8);
    assertThat(products).doesNotHaveDuplicates();
    assertThat(products.stream().map(p -> List.of(p.batch(), p.m(), p.k(), p.n())).distinct())
        .hasSize(products.size());
    // The 2,048 input rows through a 512 x 512 projection (inner = d_model here, so forward and input gradient
    // have one shape): per encoder layer q, k, v, o forward, o's input gradient, and q, k, v's except in the
    // first layer (5 + 7 x 8); per decoder layer cross-attention's k and v, forward and input gradient (8 x 4).
    assertThat(products).contains(new StepMatmuls.Product(1, 2048, 512, 512, 5 + 7 * 8 + 8 * 4));
    // The LM head on the 8 x 2 x 8 decoder rows, and its input gradient.
    assertThat(products).contains(new StepMatmuls.Product(1, 128, 512, c.vocabSize(), 1),
        new StepMatmuls.Product(1, 128, c.vocabSize(), 512, 1));
    // Encoder self-attention scores: 8 examples x 8 heads, [256 x 64] x [64 x 256], one per layer.
    assertThat(products).anySatisfy(p -> assertThat(List.of(p.batch(), p.m(), p.k(), p.n()))
        .isEqualTo(List.of(64L, 256L, 64L, 256L)));
  }
}
