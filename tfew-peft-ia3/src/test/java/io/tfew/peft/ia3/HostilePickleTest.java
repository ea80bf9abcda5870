package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import io.tfew.peft.ia3.RestrictedUnpicklerTest.Pickle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pickles and archives built to hang, exhaust memory or slip past the bounds checks: each is refused with
 * a {@link TfewException} naming the file, in bounded time. The timeouts are hang guards, not speed tests.
 */
class HostilePickleTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  /** LONG1 with 8 bytes: any long, as pickle writes ints beyond 2^31. */
  static Pickle longInt(Pickle p, long v) {
    p.op(0x8a, 8);
    for (int i = 0; i < 8; i++) {
      p.op((int) ((v >>> (8 * i)) & 0xff));
    }
    return p;
  }

  /** {@code _rebuild_tensor_v2} over storage "0" of {@code numel} floats with the given long size/stride. */
  static Pickle tensor(Pickle p, int numel, long offset, long[] size, long[] stride) {
    p.global("torch._utils", "_rebuild_tensor_v2").op('(');
    p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(numel).op('t');
    p.op('Q');
    longInt(p, offset);
    p.op('(');
    for (long s : size) {
      longInt(p, s);
    }
    p.op('t').op('(');
    for (long s : stride) {
      longInt(p, s);
    }
    p.op('t').op(0x89).global("collections", "OrderedDict").op(')').op('R');
    return p.op('t').op('R');
  }

  Path zip(String name, byte[] pickle, float[] storage) throws IOException {
    Path file = tmp.resolve(name);
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
      z.putNextEntry(new ZipEntry("archive/data.pkl"));
      z.write(pickle);
      z.closeEntry();
      z.putNextEntry(new ZipEntry("archive/data/0"));
      ByteBuffer b = ByteBuffer.allocate(storage.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : storage) {
        b.putFloat(f);
      }
      z.write(b.array());
      z.closeEntry();
    }
    return file;
  }

  Path oneTensor(String name, int numel, long offset, long[] size, long[] stride) throws IOException {
    Pickle p = new Pickle().proto(2).op('}').str("a.k.multi_lora_b");
    tensor(p, numel, offset, size, stride).op('s').op('.');
    return zip(name, p.bytes(), new float[numel]);
  }

  /** A tuple shared through the memo at every level: element-wise hashing would take 2^levels steps. */
  static Pickle sharedTuples(int levels) {
    Pickle p = new Pickle().proto(2).op('}').op(')').op('q', 0);
    for (int i = 1; i <= levels; i++) {
      p.op('h', i - 1).op(0x86).op('q', i); // (t, t) from the t on the stack and its memo copy
    }
    return p;
  }

  @Test
  void memoSharedTuplesAsDictKeysDoNotHash2PowDepthTimes() {
    // Thirty levels: within the depth bound, 2^30 steps per hash if tuples hashed element-wise.
    byte[] pickle = sharedTuples(30).op('N').op('s').op('h', 30).op('h', 29).op('s').op('.').bytes();
    Object root = assertTimeoutPreemptively(HANG_GUARD, () -> RestrictedUnpickler.unpickle(pickle, "shared.pkl"));
    assertThat(root).isInstanceOf(RestrictedUnpickler.PyDict.class);
  }

  @Test
  void tuplesNestedBeyondTheBoundAreRefused() {
    byte[] shared = sharedTuples(60).op('N').op('s').op('.').bytes();
    assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(
        () -> RestrictedUnpickler.unpickle(shared, "shared.pkl"))
        .isInstanceOf(TfewException.class).hasMessageContaining("shared.pkl").hasMessageContaining("nest deeper"));
    // A deep chain of TUPLE1 used as a key: no StackOverflowError.
    Pickle deep = new Pickle().proto(2).op('}').op(')');
    for (int i = 0; i < 100_000; i++) {
      deep.op(0x85);
    }
    byte[] chain = deep.op('N').op('s').op('.').bytes();
    assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> RestrictedUnpickler.unpickle(chain, "deep.pkl"))
        .isInstanceOf(TfewException.class).hasMessageContaining("deep.pkl").hasMessageContaining("nest deeper"));
  }

  @Test
  void hugeSizesAndOverflowingStridesAreErrorsNotArithmeticExceptions() throws IOException {
    Path huge = oneTensor("huge.pt", 4, 0, new long[] {1L << 40, 1L << 40}, new long[] {1, 1});
    assertThatThrownBy(() -> PretrainedIa3.read(huge))
        .isInstanceOf(TfewException.class).hasMessageContaining(huge.toString()).hasMessageContaining("overflows");
    Path strideOverflow = oneTensor("stride.pt", 4, 0, new long[] {4, 1}, new long[] {Long.MAX_VALUE / 2, 1});
    assertThatThrownBy(() -> PretrainedIa3.read(strideOverflow))
        .isInstanceOf(TfewException.class).hasMessageContaining("overflows");
  }

  @Test
  void aStrideOf2Pow62DoesNotWrapAroundToRepeatElementZero() throws IOException {
    // (size - 1) * stride = 3 * 2^62 wraps to a small position in 64-bit arithmetic.
    Path file = oneTensor("wrap.pt", 4, 0, new long[] {4}, new long[] {1L << 62});
    assertThatThrownBy(() -> PretrainedIa3.read(file))
        .isInstanceOf(TfewException.class).hasMessageContaining(file.toString());
  }

  @Test
  void aSmallStorageViewedWithStrideZeroDoesNotAllocateGigabytes() throws IOException {
    Path file = oneTensor("expand.pt", 4, 0, new long[] {Integer.MAX_VALUE - 16L}, new long[] {0});
    assertThatThrownBy(() -> PretrainedIa3.read(file))
        .isInstanceOf(TfewException.class).hasMessageContaining("overlapping");
  }

  @Test
  void oneStorageViewedByManyTensorsIsBoundedByTheStoredValues() throws IOException {
    Pickle p = new Pickle().proto(2).op('}').op('(');
    for (int i = 0; i < 20; i++) {
      p.str("block" + i + ".k.multi_lora_b");
      tensor(p, 1000, 0, new long[] {1000}, new long[] {1});
    }
    Path file = zip("views.pt", p.op('u').op('.').bytes(), new float[1000]);
    assertThatThrownBy(() -> RestrictedUnpickler.readTorchZip(file))
        .isInstanceOf(TfewException.class).hasMessageContaining("views of every stored value");
  }

  @Test
  void storageClaimingMoreThanAnArrayHoldsIsAnError() throws IOException {
    Pickle p = new Pickle().proto(2).op('}').str("a.k.multi_lora_b");
    p.global("torch._utils", "_rebuild_tensor_v2").op('(');
    p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu");
    longInt(p, 1L << 40).op('t').op('Q');
    p.integer(0).op('(').integer(4).op('t').op('(').integer(1).op('t').op(0x89)
        .global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('s').op('.');
    Path file = zip("claims.pt", p.bytes(), new float[4]);
    assertThatThrownBy(() -> PretrainedIa3.read(file))
        .isInstanceOf(TfewException.class).hasMessageContaining("claims " + (1L << 40));
  }

  @Test
  void nonFiniteVectorsAreRefusedNamingTheTensor() throws IOException {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      Pickle p = new Pickle().proto(2).op('}').str("enc.k.multi_lora_b");
      tensor(p, 3, 0, new long[] {3, 1}, new long[] {1, 1}).op('s').op('.');
      Path file = zip("nonfinite.pt", p.bytes(), new float[] {1f, bad, 1f});
      assertThatThrownBy(() -> PretrainedIa3.read(file))
          .isInstanceOf(TfewException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("'enc.k.multi_lora_b'")
          .hasMessageContaining("index 1");
    }
  }

  @Test
  void safetensorsOffsetsWhoseSumOverflowsAreAnError() throws IOException {
    long begin = Long.MAX_VALUE - 8;
    String header = "{\"enc.k.ia3_l\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + begin + ","
        + (begin + 8) + "]}}";
    Path file = safetensors("overflow.safetensors", header, new byte[8]);
    assertThatThrownBy(() -> PretrainedIa3.read(file))
        .isInstanceOf(TfewException.class).hasMessageContaining(file.toString())
        .hasMessageContaining("data_offsets");
  }

  @Test
  void safetensorsNonFiniteValuesAreRefused() throws IOException {
    String header = "{\"enc.k.ia3_l\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(Float.NaN).array();
    Path file = safetensors("nan.safetensors", header, data);
    assertThatThrownBy(() -> PretrainedIa3.read(file))
        .isInstanceOf(TfewException.class).hasMessageContaining("'enc.k.ia3_l'").hasMessageContaining("NaN");
  }

  Path safetensors(String name, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path file = tmp.resolve(name);
    Files.write(file, b.array());
    return file;
  }

  /**
   * A bounded fuzz loop: random byte flips of a valid pickle and of a valid safetensors file either read
   * or fail with a TfewException; never another exception, an error or a hang.
   */
  @Test
  void mutatedPicklesAndSafetensorsFailOnlyWithTfewExceptions() throws IOException {
    Pickle p = new Pickle().proto(2).op('}').op('(').str("enc.k.multi_lora_b");
    tensor(p, 6, 1, new long[] {2, 1}, new long[] {2, 1}).str("enc.v.multi_lora_b");
    tensor(p, 6, 0, new long[] {3, 1}, new long[] {1, 1});
    byte[] pickle = p.op('u').op('.').bytes();
    String header = "{\"enc.k.ia3_l\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
        + "\"enc.v.ia3_l\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[8,12]}}";
    byte[] st = Files.readAllBytes(safetensors("good.safetensors", header, new byte[12]));
    Random random = new Random(15);
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      for (int i = 0; i < 1500; i++) {
        byte[] mp = mutate(pickle, random);
        Path zip = zip("fuzz.pt", mp, new float[] {1, 2, 3, 4, 5, 6});
        readsOrRefuses(zip);
        Path sf = tmp.resolve("fuzz.safetensors");
        Files.write(sf, mutate(st, random));
        readsOrRefuses(sf);
      }
    });
  }

  private static void readsOrRefuses(Path file) {
    try {
      PretrainedIa3.read(file);
    } catch (TfewException expected) {
      assertThat(expected.getMessage()).contains(file.toString());
    }
  }

  private static byte[] mutate(byte[] in, Random random) {
    byte[] out = in.clone();
    int flips = 1 + random.nextInt(4);
    for (int f = 0; f < flips; f++) {
      int at = random.nextInt(out.length);
      out[at] = switch (random.nextInt(3)) {
        case 0 -> (byte) random.nextInt(256);
        case 1 -> (byte) (out[at] ^ (1 << random.nextInt(8)));
        default -> (byte) (random.nextBoolean() ? 0x7f : 0xff);
      };
    }
    return out;
  }
}
