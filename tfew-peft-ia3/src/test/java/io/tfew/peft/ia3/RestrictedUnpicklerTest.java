package io.tfew.peft.ia3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tfew.api.TfewException;
import io.tfew.core.testing.SharedFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restricted unpickler on hand-made pickles: torch's tensor dict layout, and hostile programs. */
class RestrictedUnpicklerTest {
  @TempDir
  Path tmp;

  /** Writes pickle opcodes; just enough to spell what torch.save writes, and what an attacker would. */
  static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    Pickle proto(int v) {
      return op(0x80, v);
    }

    Pickle global(String module, String name) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X');
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
      out.writeBytes(b);
      return this;
    }

    Pickle integer(int v) {
      return v < 256 ? op('K', v) : op('M', v & 0xff, (v >> 8) & 0xff);
    }

    /** {@code _rebuild_tensor_v2(storage(key, numel), offset, size, stride, False, OrderedDict())}. */
    Pickle tensor(String key, int numel, int offset, int[] size, int[] stride) {
      global("torch._utils", "_rebuild_tensor_v2");
      op('(');
      op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel).op('t');
      op('Q');
      integer(offset);
      op('(');
      for (int s : size) {
        integer(s);
      }
      op('t').op('(');
      for (int s : stride) {
        integer(s);
      }
      op('t').op(0x89).global("collections", "OrderedDict").op(')').op('R');
      return op('t').op('R');
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** A torch.save-style zip: {@code archive/data.pkl}, {@code archive/data/<key>}, {@code archive/version}. */
  Path zip(String name, byte[] pickle, Map<String, float[]> storages) throws IOException {
    Path file = tmp.resolve(name);
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
      if (pickle != null) {
        z.putNextEntry(new ZipEntry("archive/data.pkl"));
        z.write(pickle);
        z.closeEntry();
      }
      for (Map.Entry<String, float[]> e : storages.entrySet()) {
        z.putNextEntry(new ZipEntry("archive/data/" + e.getKey()));
        ByteBuffer b = ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : e.getValue()) {
          b.putFloat(f);
        }
        z.write(b.array());
        z.closeEntry();
      }
      z.putNextEntry(new ZipEntry("archive/version"));
      z.write("3\n".getBytes(StandardCharsets.US_ASCII));
      z.closeEntry();
    }
    return file;
  }

  @Test
  void readsADictOfTensorsWithOffsetsStridesAndMemo() throws IOException {
    byte[] pickle = new Pickle().proto(2).op('}').op('q', 0).op('(')
        .str("encoder.block.0.layer.0.SelfAttention.k.multi_lora_b").op('q', 1)
        .tensor("0", 6, 1, new int[] {2, 1}, new int[] {2, 1})
        .str("encoder.block.0.layer.0.SelfAttention.v.multi_lora_b")
        .tensor("0", 6, 0, new int[] {3, 1}, new int[] {1, 1})
        .op('u').op('.').bytes();
    Path file = zip("small.pt", pickle, Map.of("0", new float[] {10, 11, 12, 13, 14, 15}));
    Map<String, RestrictedUnpickler.Tensor> t = RestrictedUnpickler.readTorchZip(file);
    assertThat(t).containsOnlyKeys("encoder.block.0.layer.0.SelfAttention.k.multi_lora_b",
        "encoder.block.0.layer.0.SelfAttention.v.multi_lora_b");
    // Shared storage, offset 1, stride 2: elements 1 and 3.
    assertThat(t.get("encoder.block.0.layer.0.SelfAttention.k.multi_lora_b").values()).containsExactly(11f, 13f);
    assertThat(t.get("encoder.block.0.layer.0.SelfAttention.k.multi_lora_b").shape()).containsExactly(2, 1);
    assertThat(t.get("encoder.block.0.layer.0.SelfAttention.v.multi_lora_b").values()).containsExactly(10f, 11f, 12f);
    // PretrainedIa3 names them by module.
    assertThat(PretrainedIa3.read(file).modules()).containsExactly("encoder.block.0.layer.0.SelfAttention.k",
        "encoder.block.0.layer.0.SelfAttention.v");
  }

  @Test
  void refusesACodeExecutingReduceNamingTheFileAndTheGlobal() throws IOException {
    // What `pickle.dumps` of an object whose __reduce__ returns (os.system, ("echo pwned",)) looks like.
    byte[] evil = new Pickle().proto(2).global("os", "system").str("echo pwned").op(0x85).op('R').op('.').bytes();
    Path file = zip("evil.pt", evil, Map.of());
    assertThatThrownBy(() -> RestrictedUnpickler.readTorchZip(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("refuses pickle global 'os.system'")
        .hasMessageContaining("nothing was executed");
    // The same through the (IA)^3 init path, which is how a user meets it.
    assertThatThrownBy(() -> Ia3TestKit.create(Map.of("init", file.toString())))
        .isInstanceOf(TfewException.class).hasMessageContaining("'os.system'");
  }

  @Test
  void refusesOtherDangerousGlobalsEvenThroughStackGlobal() {
    for (String[] g : new String[][] {{"builtins", "eval"}, {"posix", "system"}, {"subprocess", "Popen"},
        {"torch", "load"}, {"__builtin__", "getattr"}}) {
      // PROTO 4, SHORT_BINUNICODE module, SHORT_BINUNICODE name, STACK_GLOBAL, STOP
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(0x80);
      b.write(4);
      for (String s : g) {
        b.write(0x8c);
        b.write(s.length());
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      }
      b.write(0x93);
      b.write('.');
      assertThatThrownBy(() -> RestrictedUnpickler.unpickle(b.toByteArray(), "hostile.pkl"))
          .isInstanceOf(TfewException.class)
          .hasMessageContaining("hostile.pkl")
          .hasMessageContaining("'" + g[0] + "." + g[1] + "'");
    }
  }

  @Test
  void refusesOpcodesOutsideTheWhitelist() {
    // INST, OBJ, NEWOBJ and EXT1 can construct arbitrary objects; BUILD on a non-dict would set attributes.
    Map<Integer, String> cases = new LinkedHashMap<>();
    cases.put((int) 'i', "INST");
    cases.put((int) 'o', "OBJ");
    cases.put(0x81, "NEWOBJ");
    cases.put(0x82, "EXT1");
    cases.put((int) 'S', "STRING");
    for (Map.Entry<Integer, String> c : cases.entrySet()) {
      byte[] p = new Pickle().proto(2).op(c.getKey()).op('.').bytes();
      assertThatThrownBy(() -> RestrictedUnpickler.unpickle(p, "odd.pkl"))
          .isInstanceOf(TfewException.class)
          .hasMessageContaining("odd.pkl")
          .hasMessageContaining("refuses pickle opcode " + c.getValue());
    }
  }

  @Test
  void refusesReduceOfAStorageTypeAndWhitelistedCallablesWithWrongArguments() {
    byte[] callStorage = new Pickle().proto(2).global("torch", "FloatStorage").op(')').op('R').op('.').bytes();
    assertThatThrownBy(() -> RestrictedUnpickler.unpickle(callStorage, "s.pkl"))
        .isInstanceOf(TfewException.class).hasMessageContaining("REDUCE may only call");
    byte[] dictWithArgs = new Pickle().proto(2).global("collections", "OrderedDict").str("x").op(0x85).op('R')
        .op('.').bytes();
    assertThatThrownBy(() -> RestrictedUnpickler.unpickle(dictWithArgs, "d.pkl"))
        .isInstanceOf(TfewException.class).hasMessageContaining("OrderedDict");
  }

  @Test
  void truncatedPickleIsAnError() {
    byte[] p = new Pickle().proto(2).op('}').str("abc").bytes();
    byte[] cut = java.util.Arrays.copyOf(p, p.length - 2);
    assertThatThrownBy(() -> RestrictedUnpickler.unpickle(cut, "cut.pkl"))
        .isInstanceOf(TfewException.class).hasMessageContaining("cut.pkl").hasMessageContaining("truncated");
  }

  @Test
  void truncatedZipIsAnErrorNamingTheFile() throws IOException {
    byte[] whole = Files.readAllBytes(SharedFixtures.path("fixtures/ia3-pretrained/t03b_ia3_finish.pt"));
    Path cut = tmp.resolve("cut.pt");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> PretrainedIa3.read(cut))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("not a readable PyTorch zip archive");
  }

  @Test
  void zipWithoutDataPklIsAnError() throws IOException {
    Path file = zip("nodata.pt", null, Map.of("0", new float[] {1}));
    assertThatThrownBy(() -> PretrainedIa3.read(file))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("no */data.pkl");
  }

  @Test
  void missingOrShortStoragesAreErrors() throws IOException {
    byte[] pickle = new Pickle().proto(2).op('}').str("a.k.multi_lora_b")
        .tensor("0", 4, 0, new int[] {4, 1}, new int[] {1, 1}).op('s').op('.').bytes();
    Path missing = zip("missing.pt", pickle, Map.of());
    assertThatThrownBy(() -> PretrainedIa3.read(missing))
        .isInstanceOf(TfewException.class).hasMessageContaining("storage '0'").hasMessageContaining("missing");
    Path shortOne = zip("short.pt", pickle, Map.of("0", new float[] {1, 2, 3}));
    assertThatThrownBy(() -> PretrainedIa3.read(shortOne))
        .isInstanceOf(TfewException.class).hasMessageContaining("holds 12 bytes");
  }

  @Test
  void viewsPastTheirStorageAreErrors() throws IOException {
    byte[] pickle = new Pickle().proto(2).op('}').str("a.k.multi_lora_b")
        .tensor("0", 4, 2, new int[] {4, 1}, new int[] {1, 1}).op('s').op('.').bytes();
    Path file = zip("past.pt", pickle, Map.of("0", new float[] {1, 2, 3, 4}));
    assertThatThrownBy(() -> PretrainedIa3.read(file))
        .isInstanceOf(TfewException.class).hasMessageContaining("reaches past its storage");
  }

  @Test
  void halfAndBfloat16Decode() {
    assertThat(RestrictedUnpickler.halfToFloat((short) 0x3c00)).isEqualTo(1f);
    assertThat(RestrictedUnpickler.halfToFloat((short) 0xc000)).isEqualTo(-2f);
    assertThat(RestrictedUnpickler.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(RestrictedUnpickler.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
  }
}
