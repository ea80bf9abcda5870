package io.tfew.peft.ia3;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a {@code torch.save} file of a dict of float tensors (the zip format of PyTorch 1.6+) without
 * Python and without trusting it.
 *
 * <p>A pickle is a program: in Python, loading one may call any importable function ({@code os.system},
 * {@code builtins.eval}). Java cannot run those, but a file that names them is not a plain checkpoint and
 * is refused at once, loudly, naming the file and the global or opcode, instead of being half-understood.
 * Only the opcodes {@code torch.save} emits for a dict of tensors are interpreted, and {@code REDUCE} only
 * calls the whitelisted callables below, which this class implements itself:
 *
 * <ul>
 *   <li>{@code torch._utils._rebuild_tensor_v2} and {@code torch._utils._rebuild_parameter}: a view of a storage
 *   <li>{@code collections.OrderedDict}: an empty dict (state dicts are ordered dicts)
 *   <li>{@code torch.FloatStorage}, {@code torch.HalfStorage}, {@code torch.BFloat16Storage}: storage types,
 *       only inside persistent ids, never called
 * </ul>
 *
 * <p>Storages are read from the archive's {@code <prefix>/data/<key>} entries as little-endian values.
 *
 * <pre>{@code
 * Map<String, RestrictedUnpickler.Tensor> tensors = RestrictedUnpickler.readTorchZip(Path.of("t03b_ia3_finish.pt"));
 * float[] k = tensors.get("encoder.block.0.layer.0.SelfAttention.k.multi_lora_b").values();
 * }</pre>
 */
public final class RestrictedUnpickler {

  /** A tensor read from the file: its shape and its values in row-major order, widened to float32. */
  public record Tensor(long[] shape, float[] values) {}

  /** The storages a tensor may view; the element size and how one element becomes a float. */
  enum StorageType {
    FLOAT("FloatStorage", 4),
    HALF("HalfStorage", 2),
    BFLOAT16("BFloat16Storage", 2);

    final String pythonName;
    final int bytes;

    StorageType(String pythonName, int bytes) {
      this.pythonName = pythonName;
      this.bytes = bytes;
    }
  }

  /** The only callables a pickle may name. */
  private enum Callable {
    REBUILD_TENSOR_V2,
    REBUILD_PARAMETER,
    ORDERED_DICT
  }

  private static final Map<String, Object> WHITELIST = Map.of(
      "torch._utils._rebuild_tensor_v2", Callable.REBUILD_TENSOR_V2,
      "torch._utils._rebuild_parameter", Callable.REBUILD_PARAMETER,
      "collections.OrderedDict", Callable.ORDERED_DICT,
      "torch.FloatStorage", StorageType.FLOAT,
      "torch.HalfStorage", StorageType.HALF,
      "torch.BFloat16Storage", StorageType.BFLOAT16);

  /** A persistent id resolved to a storage of the archive (read later, once per key). */
  record StorageRef(StorageType type, String key, long numel) {}

  /** {@code _rebuild_tensor_v2}'s arguments: a strided view of a storage. */
  record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

  /**
   * Python's tuple (immutable, may hold None as {@link #NONE}).
   *
   * <p>Equality is identity, not Python's element-wise equality: a pickle can share one tuple through the
   * memo at every level of a nesting, so element-wise hashing of such a tuple used as a dict key costs
   * 2^depth steps. Tuples only matter here as arguments; the state dict's keys must be strings anyway.
   */
  static final class PyTuple {
    private final List<Object> items;
    /** 1 for a tuple holding no tuple; bounded by {@link #MAX_DEPTH}. */
    final int depth;

    PyTuple(List<Object> items) {
      this.items = items;
      int d = 0;
      for (Object o : items) {
        if (o instanceof PyTuple t) {
          d = Math.max(d, t.depth);
        }
      }
      this.depth = d + 1;
    }

    List<Object> items() {
      return items;
    }
  }

  /** Python's dict and OrderedDict, insertion-ordered. */
  static final class PyDict {
    final Map<Object, Object> items = new LinkedHashMap<>();
  }

  /** Python's None: stacks and lists here hold no Java nulls. */
  static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  private static final Object MARK_OBJ = new Object();
  private static final int MAX_STACK = 1 << 20;
  /** torch.save nests tuples three deep (a storage reference inside the arguments of a rebuild). */
  static final int MAX_DEPTH = 32;
  private static final int MAX_MEMO = 1 << 20;
  /**
   * How many values all tensors may hold together, as a multiple of the storage elements the archive
   * really holds. Tied weights (one storage viewed by two or three tensors, as T5's embeddings are) stay
   * far below it; a few bytes of pickle viewing one storage a million times do not.
   */
  static final int MAX_VIEWS_PER_STORAGE_ELEMENT = 8;
  private static final int MAX_PKL_BYTES = 256 << 20;

  private final byte[] data;
  private final String where;
  private int pos;
  private final List<Object> stack = new ArrayList<>();
  /** Stack positions of open marks. */
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private RestrictedUnpickler(byte[] data, String where) {
    this.data = data;
    this.where = where;
  }

  /**
   * Reads every tensor of a {@code torch.save} zip whose pickle holds a dict of tensors.
   *
   * @throws TfewException naming the file when it is not such an archive, names a global or uses an
   *     opcode outside the whitelist, or its storages are missing or too short
   */
  public static Map<String, Tensor> readTorchZip(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TfewException(file + ": no such file");
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String pklName = findDataPkl(zip, file);
      String prefix = pklName.substring(0, pklName.length() - "data.pkl".length());
      ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
      if (byteorder != null) {
        String order = new String(readEntry(zip, byteorder, 16, file), StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
          throw new TfewException(file + ": storages are stored " + order + "-endian; only little-endian "
              + "archives are supported (re-save the tensors on a little-endian machine)");
        }
      }
      byte[] pkl = readEntry(zip, zip.getEntry(pklName), MAX_PKL_BYTES, file);
      Object root = new RestrictedUnpickler(pkl, file + " (" + pklName + ")").run();
      if (!(root instanceof PyDict dict)) {
        throw new TfewException(file + ": " + pklName + " holds " + describe(root)
            + ", not a dict of tensors");
      }
      Map<String, float[]> storages = new HashMap<>();
      Map<String, Tensor> out = new LinkedHashMap<>();
      long storageElements = 0;
      long tensorElements = 0;
      for (Map.Entry<Object, Object> e : dict.items.entrySet()) {
        if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef ref)) {
          throw new TfewException(file + ": entry " + describe(e.getKey()) + " -> " + describe(e.getValue())
              + " of " + pklName + " is not a tensor named by a string");
        }
        float[] storage = storages.get(ref.storage().key());
        if (storage == null) {
          storage = readStorage(zip, prefix, ref.storage(), file);
          storages.put(ref.storage().key(), storage);
          storageElements += storage.length;
        }
        Tensor t = view(storage, ref, name, file);
        tensorElements += t.values().length;
        if (tensorElements > MAX_VIEWS_PER_STORAGE_ELEMENT * Math.max(storageElements, 1L)) {
          throw new TfewException(file + ": its tensors (up to '" + name + "') hold " + tensorElements
              + " values but its storages only " + storageElements + "; more than "
              + MAX_VIEWS_PER_STORAGE_ELEMENT + " views of every stored value is not a saved state dict "
              + "(re-save the tensors with torch.save, or convert them to safetensors)");
        }
        out.put(name, t);
      }
      return out;
    } catch (ZipException e) {
      throw new TfewException(file + ": not a readable PyTorch zip archive (" + e.getMessage()
          + "); the file may be truncated, or saved in the pre-1.6 legacy format (re-save it with "
          + "torch.save in PyTorch >= 1.6, or convert it to safetensors)");
    } catch (IOException e) {
      throw new TfewException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static String findDataPkl(ZipFile zip, Path file) {
    List<String> found = new ArrayList<>();
    for (ZipEntry e : Collections.list(zip.entries())) {
      String n = e.getName();
      // torch writes <archive name>/data.pkl; storages sit beside it in <archive name>/data/.
      if (n.equals("data.pkl") || (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())) {
        found.add(n);
      }
    }
    if (found.isEmpty()) {
      throw new TfewException(file + ": zip archive has no */data.pkl entry, so it is not a torch.save file");
    }
    if (found.size() > 1) {
      throw new TfewException(file + ": zip archive has several data.pkl entries " + found
          + "; a torch.save file has exactly one");
    }
    return found.get(0);
  }

  private static byte[] readEntry(ZipFile zip, ZipEntry entry, int limit, Path file) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] b = in.readNBytes(limit + 1);
      if (b.length > limit) {
        throw new TfewException(file + ": entry " + entry.getName() + " is larger than " + limit + " bytes");
      }
      return b;
    }
  }

  private static float[] readStorage(ZipFile zip, String prefix, StorageRef ref, Path file) throws IOException {
    String name = prefix + "data/" + ref.key();
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new TfewException(file + ": storage '" + ref.key() + "' (" + name + ") is missing from the archive");
    }
    if (ref.numel() < 0 || ref.numel() > (Integer.MAX_VALUE - 8) / ref.type().bytes) {
      throw new TfewException(file + ": storage '" + ref.key() + "' claims " + ref.numel() + " elements; "
          + "a storage of this reader holds at most " + (Integer.MAX_VALUE - 8) / ref.type().bytes);
    }
    long bytes = ref.numel() * ref.type().bytes;
    byte[] raw;
    try (InputStream in = zip.getInputStream(entry)) {
      // Read one byte more than needed: a longer entry means the pickle and the data disagree.
      raw = in.readNBytes((int) bytes + 1);
    }
    if (raw.length != bytes) {
      throw new TfewException(file + ": storage '" + ref.key() + "' holds " + raw.length + " bytes but the pickle "
          + "declares " + ref.numel() + " " + ref.type().pythonName + " elements (" + bytes + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[(int) ref.numel()];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (ref.type()) {
        case FLOAT -> buf.getFloat();
        case HALF -> halfToFloat(buf.getShort());
        case BFLOAT16 -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
      };
    }
    return out;
  }

  /** IEEE half to float (Float.float16ToFloat is Java 20+). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      // zero or subnormal: mant * 2^-24
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Copies a strided view out of its storage, checking that it stays inside. */
  private static Tensor view(float[] storage, TensorRef ref, String name, Path file) {
    long[] size = ref.size();
    long[] stride = ref.stride();
    if (size.length != stride.length) {
      throw new TfewException(file + ": tensor '" + name + "' has size " + Arrays.toString(size)
          + " but stride " + Arrays.toString(stride));
    }
    String shape = "size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + " and offset "
        + ref.offset();
    for (int d = 0; d < size.length; d++) {
      if (size[d] < 0 || stride[d] < 0) {
        throw new TfewException(file + ": tensor '" + name + "' has a negative size or stride (" + shape + ")");
      }
    }
    long count = 1;
    long last = ref.offset();
    try {
      for (long s : size) {
        count = Math.multiplyExact(count, s);
      }
      if (count > 0) {
        for (int d = 0; d < size.length; d++) {
          last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
        }
      }
    } catch (ArithmeticException e) {
      throw new TfewException(file + ": tensor '" + name + "' has " + shape + " whose element count or "
          + "last position overflows a 64-bit integer; the file is corrupt");
    }
    if (ref.offset() < 0 || (count > 0 && (last >= storage.length || ref.offset() >= storage.length))) {
      throw new TfewException(file + ": tensor '" + name + "' of " + shape + " reaches past its storage of "
          + storage.length + " elements");
    }
    if (count > storage.length) {
      // Only overlapping strides (stride 0: an expanded tensor) view more values than the storage holds;
      // torch.save of parameters never writes them, and copying them out is how a small file asks for GiBs.
      throw new TfewException(file + ": tensor '" + name + "' of " + shape + " views " + count
          + " values of a storage of " + storage.length + "; overlapping (expanded) views are not read, "
          + "save the tensor with .contiguous() first");
    }
    float[] out = new float[(int) count];
    long[] index = new long[size.length];
    for (int i = 0; i < out.length; i++) {
      long at = ref.offset();
      for (int d = 0; d < size.length; d++) {
        at += index[d] * stride[d];
      }
      out[i] = storage[(int) at];
      for (int d = size.length - 1; d >= 0; d--) {
        if (++index[d] < size[d]) {
          break;
        }
        index[d] = 0;
      }
    }
    return new Tensor(size.clone(), out);
  }

  /** Runs the pickle program over the whitelisted opcodes; visible for tests of hostile pickles. */
  static Object unpickle(byte[] pickle, String where) {
    return new RestrictedUnpickler(pickle, where).run();
  }

  private Object run() {
    while (true) {
      if (pos >= data.length) {
        throw fail("the pickle ends without STOP (truncated?)");
      }
      int at = pos;
      int op = data[pos++] & 0xff;
      switch (op) {
        case 0x80 -> { // PROTO
          int proto = u8();
          if (proto < 2 || proto > 5) {
            throw fail("pickle protocol " + proto + " is not supported");
          }
        }
        case 0x95 -> skip(8); // FRAME: a length hint only
        case '.' -> { // STOP
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw fail("STOP with " + stack.size() + " values on the stack");
          }
          return stack.get(0);
        }
        case '(' -> { // MARK
          marks.add(stack.size());
          push(MARK_OBJ);
        }
        case '}' -> push(new PyDict()); // EMPTY_DICT
        case ')' -> push(newTuple(List.of())); // EMPTY_TUPLE
        case 't' -> push(newTuple(popMark())); // TUPLE
        case 0x85 -> push(tuple(1)); // TUPLE1
        case 0x86 -> push(tuple(2)); // TUPLE2
        case 0x87 -> push(tuple(3)); // TUPLE3
        case 'J' -> push((long) le(4)); // BININT
        case 'K' -> push((long) u8()); // BININT1
        case 'M' -> push((long) (le(2) & 0xffff)); // BININT2
        case 0x8a -> push(long1()); // LONG1
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 'N' -> push(NONE); // NONE
        case 'X' -> push(utf8(le(4) & 0xffffffffL)); // BINUNICODE
        case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
        case 'c' -> push(global(line(), line(), at)); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw fail("STACK_GLOBAL needs two strings");
          }
          push(global(m, n, at));
        }
        case 'Q' -> push(persistent(pop())); // BINPERSID
        case 'R' -> { // REDUCE
          Object args = pop();
          Object callable = pop();
          push(reduce(callable, args));
        }
        case 'b' -> build(); // BUILD
        case 's' -> { // SETITEM
          Object value = pop();
          Object key = pop();
          dict(peek()).items.put(key, value);
        }
        case 'u' -> { // SETITEMS
          List<Object> kv = popMark();
          if (kv.size() % 2 != 0) {
            throw fail("SETITEMS with an odd number of values");
          }
          PyDict d = dict(peek());
          for (int i = 0; i < kv.size(); i += 2) {
            d.items.put(kv.get(i), kv.get(i + 1));
          }
        }
        case 'q' -> memoPut(u8()); // BINPUT
        case 'r' -> memoPut(le(4) & 0xffffffffL); // LONG_BINPUT
        case 0x94 -> memoPut(memo.size()); // MEMOIZE
        case 'h' -> push(memoGet(u8())); // BINGET
        case 'j' -> push(memoGet(le(4) & 0xffffffffL)); // LONG_BINGET
        default -> throw new TfewException(where + ": refuses pickle opcode " + opcodeName(op) + " at byte " + at
            + "; only the opcodes torch.save writes for a dict of tensors are accepted, so this file is not a "
            + "plain tensor checkpoint (in Python it might run code when loaded)");
      }
    }
  }

  private Object global(String module, String name, int at) {
    String qualified = module + "." + name;
    Object allowed = WHITELIST.get(qualified);
    if (allowed == null) {
      throw new TfewException(where + ": refuses pickle global '" + qualified + "' at byte " + at
          + "; only " + String.join(", ", new java.util.TreeSet<>(WHITELIST.keySet()))
          + " may appear in a tensor checkpoint. This file would call '" + qualified + "' when loaded in "
          + "Python; nothing was executed. Do not load it anywhere unless you trust its source");
    }
    return allowed;
  }

  private Object persistent(Object pid) {
    // torch: ('storage', <storage type>, key, location, numel)
    if (!(pid instanceof PyTuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))) {
      throw fail("persistent id " + describe(pid) + " is not a torch storage reference");
    }
    List<Object> f = t.items();
    if (!(f.get(1) instanceof StorageType type) || !(f.get(2) instanceof String key)
        || !(f.get(3) instanceof String) || !(f.get(4) instanceof Long numel)) {
      throw fail("persistent id " + describe(pid) + " is not ('storage', <type>, key, location, numel)");
    }
    if (!key.matches("[A-Za-z0-9_]+")) {
      // The key becomes part of a zip entry name: no path tricks.
      throw fail("storage key '" + key + "' is not a plain name");
    }
    return new StorageRef(type, key, numel);
  }

  private Object reduce(Object callable, Object args) {
    if (!(callable instanceof Callable c)) {
      throw fail("REDUCE may only call " + Arrays.toString(Callable.values()) + ", not " + describe(callable));
    }
    if (!(args instanceof PyTuple t)) {
      throw fail("REDUCE arguments are " + describe(args) + ", not a tuple");
    }
    List<Object> a = t.items();
    switch (c) {
      case ORDERED_DICT -> {
        if (!a.isEmpty()) {
          throw fail("OrderedDict is only rebuilt empty, then filled by SETITEMS");
        }
        return new PyDict();
      }
      case REBUILD_PARAMETER -> {
        // (data, requires_grad, backward_hooks): a Parameter is its data for our purposes.
        if (a.size() != 3 || !(a.get(0) instanceof TensorRef)) {
          throw fail("_rebuild_parameter expects (tensor, requires_grad, hooks), got " + describe(args));
        }
        return a.get(0);
      }
      case REBUILD_TENSOR_V2 -> {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if ((a.size() != 6 && a.size() != 7) || !(a.get(0) instanceof StorageRef storage)
            || !(a.get(1) instanceof Long offset)) {
          throw fail("_rebuild_tensor_v2 expects (storage, offset, size, stride, requires_grad, hooks), got "
              + describe(args));
        }
        return new TensorRef(storage, offset, longs(a.get(2), "size"), longs(a.get(3), "stride"));
      }
      default -> throw fail("unreachable");
    }
  }

  /** BUILD sets an object's state; only an OrderedDict's {@code _metadata} is tolerated, and dropped. */
  private void build() {
    Object state = pop();
    Object target = peek();
    if (!(target instanceof PyDict) || !(state instanceof PyDict || state instanceof PyTuple)) {
      throw fail("BUILD is only accepted on an OrderedDict (state_dict metadata), not on " + describe(target));
    }
  }

  private long[] longs(Object o, String what) {
    if (!(o instanceof PyTuple t)) {
      throw fail("tensor " + what + " is " + describe(o) + ", not a tuple of ints");
    }
    long[] out = new long[t.items().size()];
    for (int i = 0; i < out.length; i++) {
      if (!(t.items().get(i) instanceof Long v)) {
        throw fail("tensor " + what + " holds " + describe(t.items().get(i)));
      }
      out[i] = v;
    }
    return out;
  }

  private PyDict dict(Object o) {
    if (!(o instanceof PyDict d)) {
      throw fail("SETITEM(S) on " + describe(o) + ", not a dict");
    }
    return d;
  }

  private PyTuple tuple(int n) {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = pop();
    }
    return newTuple(Arrays.asList(items));
  }

  private PyTuple newTuple(List<Object> items) {
    PyTuple t = new PyTuple(items);
    if (t.depth > MAX_DEPTH) {
      throw fail("tuples nest deeper than " + MAX_DEPTH + " levels; torch.save nests them three deep");
    }
    return t;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw fail("no MARK to pop to");
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
    stack.subList(mark, stack.size()).clear();
    return Collections.unmodifiableList(items);
  }

  private void push(Object o) {
    if (stack.size() >= MAX_STACK) {
      throw fail("stack grows past " + MAX_STACK + " values");
    }
    stack.add(o);
  }

  private Object pop() {
    int top = stack.size() - 1;
    if (top < 0 || (!marks.isEmpty() && marks.get(marks.size() - 1) == top)) {
      throw fail("stack underflow");
    }
    return stack.remove(top);
  }

  private Object peek() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK_OBJ) {
      throw fail("stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private void memoPut(long index) {
    Object value = peek();
    if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
      throw fail("the memo grows past " + MAX_MEMO + " entries");
    }
    memo.put(index, value);
  }

  private Object memoGet(long index) {
    Object o = memo.get(index);
    if (o == null) {
      throw fail("memo slot " + index + " is empty");
    }
    return o;
  }

  private int u8() {
    need(1);
    return data[pos++] & 0xff;
  }

  private int le(int n) {
    need(n);
    int v = 0;
    for (int i = 0; i < n; i++) {
      v |= (data[pos + i] & 0xff) << (8 * i);
    }
    pos += n;
    return v;
  }

  private long long1() {
    int n = u8();
    if (n > 8) {
      throw fail("LONG1 integer of " + n + " bytes is too large");
    }
    need(n);
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) (data[pos + i] & 0xff) << (8 * i);
    }
    if (n > 0 && n < 8 && (data[pos + n - 1] & 0x80) != 0) {
      v -= 1L << (8 * n); // two's complement of n bytes
    }
    pos += n;
    return v;
  }

  private void skip(int n) {
    need(n);
    pos += n;
  }

  private String utf8(long n) {
    if (n > data.length - pos) {
      throw fail("string of " + n + " bytes runs past the end of the pickle (truncated?)");
    }
    String s = new String(data, pos, (int) n, StandardCharsets.UTF_8);
    pos += (int) n;
    return s;
  }

  private String line() {
    int start = pos;
    while (pos < data.length && data[pos] != '\n') {
      pos++;
    }
    if (pos >= data.length) {
      throw fail("GLOBAL name runs past the end of the pickle (truncated?)");
    }
    String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
    pos++;
    return s;
  }

  private void need(int n) {
    if (data.length - pos < n) {
      throw fail("the pickle ends inside an opcode's argument (truncated?)");
    }
  }

  private TfewException fail(String what) {
    return new TfewException(where + ": malformed or unsupported pickle near byte " + pos + ": " + what);
  }

  private static String describe(Object o) {
    if (o == null) {
      return "nothing";
    }
    if (o instanceof String s) {
      return "'" + s + "'";
    }
    if (o instanceof PyTuple t) {
      return "a tuple of " + t.items().size();
    }
    if (o instanceof PyDict) {
      return "a dict";
    }
    if (o instanceof TensorRef) {
      return "a tensor";
    }
    return o instanceof Callable || o instanceof StorageType ? o.toString() : o.getClass().getSimpleName() + " " + o;
  }

  private static String opcodeName(int op) {
    String name = switch (op) {
      case 'i' -> "INST";
      case 'o' -> "OBJ";
      case 0x81 -> "NEWOBJ";
      case 0x92 -> "NEWOBJ_EX";
      case 0x82 -> "EXT1";
      case 0x83 -> "EXT2";
      case 0x84 -> "EXT4";
      case 'P' -> "PERSID";
      case ']' -> "EMPTY_LIST";
      case 'a' -> "APPEND";
      case 'e' -> "APPENDS";
      case 'l' -> "LIST";
      case 'd' -> "DICT";
      case 'S' -> "STRING";
      case 'U' -> "SHORT_BINSTRING";
      case 'T' -> "BINSTRING";
      case 'V' -> "UNICODE";
      case 'I' -> "INT";
      case 'L' -> "LONG";
      case 'F' -> "FLOAT";
      case 'G' -> "BINFLOAT";
      case 'B' -> "BINBYTES";
      case 'C' -> "SHORT_BINBYTES";
      case 0x8d -> "BINUNICODE8";
      case 0x8e -> "BINBYTES8";
      case 0x8f -> "EMPTY_SET";
      case 0x90 -> "ADDITEMS";
      case 0x91 -> "FROZENSET";
      case 0x96 -> "BYTEARRAY8";
      case 0x97 -> "NEXT_BUFFER";
      case 0x98 -> "READONLY_BUFFER";
      case 'p' -> "PUT";
      case 'g' -> "GET";
      case '0' -> "POP";
      case '1' -> "POP_MARK";
      case '2' -> "DUP";
      default -> "unknown";
    };
    return String.format("%s (0x%02x)", name, op);
  }
}
