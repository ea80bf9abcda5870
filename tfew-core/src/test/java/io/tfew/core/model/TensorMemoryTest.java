package io.tfew.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class TensorMemoryTest {
  @Test
  void writesThroughAWindowAreTheTensorsValues() {
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(2, 3))) {
      ByteBuffer head = TensorMemory.window(t, 0, 12);
      ByteBuffer tail = TensorMemory.window(t, 12, 12);
      head.asFloatBuffer().put(new float[] {1, 2, 3});
      tail.asFloatBuffer().put(new float[] {-4, 5.5f, Float.MAX_VALUE});
      float[] read = new float[6];
      t.asRawTensor().data().asFloats().read(read);
      assertThat(read).containsExactly(1, 2, 3, -4, 5.5f, Float.MAX_VALUE);
      assertThat(t.getFloat(1, 1)).isEqualTo(5.5f);
    }
  }

  @Test
  void aWindowSeesWhatTensorFlowWrote() {
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(4))) {
      t.asRawTensor().data().asFloats().write(new float[] {9, 8, 7, 6});
      ByteBuffer w = TensorMemory.window(t, 8, 8);
      assertThat(w.capacity()).isEqualTo(8);
      assertThat(w.getFloat(0)).isEqualTo(7f);
      assertThat(w.getFloat(4)).isEqualTo(6f);
    }
  }

  @Test
  void aWindowOutsideTheTensorIsRefused() {
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(4))) {
      assertThatThrownBy(() -> TensorMemory.window(t, 8, 12)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> TensorMemory.window(t, -4, 4)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThat(TensorMemory.window(t, 16, 0).capacity()).isZero();
    }
  }
}
