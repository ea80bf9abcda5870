package io.tfew.peft.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptEnsembleTest {
  @Test
  void stacksSlotsAndCombines() {
    assertThat(PromptEnsemble.stack(List.of(new float[] {1, 2}, new float[] {3, 4}))).containsExactly(1, 2, 3, 4);
    assertThat(PromptEnsemble.slots(2, 3)).containsExactly(0, 1, 2, 0, 1, 2);
    // One example, three prompts, two choices.
    double[][] rows = {{-1, -2}, {-3, -2.5}, {-1.2, -1.1}};
    assertThat(PromptEnsemble.combine(rows, 3, PromptEnsemble.Combine.MEAN)[0])
        .containsExactly(new double[] {-5.2 / 3, -5.6 / 3}, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(PromptEnsemble.combine(rows, 3, PromptEnsemble.Combine.VOTE)[0])
        .containsExactly(new double[] {1.0 / 3, 2.0 / 3}, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(PromptEnsemble.predict(rows, 3, PromptEnsemble.Combine.MEAN)).containsExactly(0);
    assertThat(PromptEnsemble.predict(rows, 3, PromptEnsemble.Combine.VOTE)).containsExactly(1);
    // A tied vote goes to the higher mean.
    double[][] tie = {{-1, -5}, {-2, -1.9}};
    assertThat(PromptEnsemble.predict(tie, 2, PromptEnsemble.Combine.VOTE)).containsExactly(0);
  }

  @Test
  void refusesMismatchedInputs() {
    assertThatThrownBy(() -> PromptEnsemble.stack(List.of(new float[2], new float[3])))
        .hasMessageContaining("one shape");
    assertThatThrownBy(() -> PromptEnsemble.combine(new double[3][2], 2, PromptEnsemble.Combine.MEAN))
        .hasMessageContaining("whole number");
  }
}
