package dev.torchlet.io;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * A pickle reader that knows only the classes a PyTorch state dict needs. Every class reference
 * (GLOBAL, STACK_GLOBAL, INST) is looked up in a fixed allow-list of our own Java stand-ins:
 * <ul>
 *   <li>{@code collections.OrderedDict}: an insertion-ordered map (its {@code _metadata}
 *       attribute, set by BUILD, is ignored);</li>
 *   <li>{@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_tensor},
 *       {@code _rebuild_parameter}, {@code _rebuild_parameter_with_state} and
 *       {@code torch._tensor._rebuild_from_type_v2}: build a {@link PendingTensor};</li>
 *   <li>{@code torch.FloatStorage} and the other storage classes, {@code torch.Tensor},
 *       {@code torch.nn.parameter.Parameter}: markers, never called.</li>
 * </ul>
 * Anything else fails with "refusing to load 'module.name'" before any object of it exists (and
 * Razorvine's own registry of Python stand-ins is bypassed), so nothing in a malicious file ever
 * runs. Dicts keep their pickled order. Length prefixes are checked against the bytes left.
 */
final class TorchUnpickler extends Unpickler {
    /** Marks an error found by this reader (as opposed to one inside Razorvine). */
    static final class FormatException extends PickleException {
        FormatException(String message) {
            super(message);
        }
    }

    /** A storage as its persistent id declares it: key (file name), element type, element count. */
    record StorageRef(String key, ElementType type, long numel) {}

    /** The part {@code [offset, offset + size)} (elements) of a storage a tensor may index. */
    record StorageView(StorageRef root, long offset, long size) {}

    /** A tensor before its storage bytes are read: {@code element(i) = storage[offset + sum(i_d * stride_d)]}. */
    record PendingTensor(StorageView storage, long offset, int[] size, int[] stride) {}

    /** A referenced class that may not be called: storage types, torch.Tensor, Parameter. */
    record ClassRef(String name, ElementType storageType) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new FormatException("'" + name + "' is not callable in a state dict");
        }
    }

    /** collections.OrderedDict. */
    static final class OrderedDictValue extends LinkedHashMap<Object, Object> {}

    private static final String ALLOWED_SUMMARY = "only state-dict classes are allowed (collections.OrderedDict, "
            + "torch._utils._rebuild_tensor_v2 and the other tensor-rebuild functions, torch.*Storage)";

    private static final IObjectConstructor ORDERED_DICT = TorchUnpickler::orderedDict;
    private static final IObjectConstructor REBUILD_TENSOR_V2 = args -> rebuildTensor("_rebuild_tensor_v2", args, 6);
    private static final IObjectConstructor REBUILD_TENSOR = args -> rebuildTensor("_rebuild_tensor", args, 4);
    private static final IObjectConstructor REBUILD_PARAMETER = args -> parameter("_rebuild_parameter", args, 3);
    private static final IObjectConstructor REBUILD_PARAMETER_WITH_STATE =
            args -> parameter("_rebuild_parameter_with_state", args, 4);
    private static final IObjectConstructor REBUILD_FROM_TYPE_V2 = TorchUnpickler::rebuildFromType;
    private static final Set<IObjectConstructor> TENSOR_REBUILDERS =
            Set.of(REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE);

    private static final Map<String, IObjectConstructor> ALLOWED = allowed();

    private static Map<String, IObjectConstructor> allowed() {
        Map<String, IObjectConstructor> m = new LinkedHashMap<>();
        m.put("collections.OrderedDict", ORDERED_DICT);
        m.put("torch._utils._rebuild_tensor_v2", REBUILD_TENSOR_V2);
        m.put("torch._utils._rebuild_tensor", REBUILD_TENSOR);
        m.put("torch._utils._rebuild_parameter", REBUILD_PARAMETER);
        m.put("torch._utils._rebuild_parameter_with_state", REBUILD_PARAMETER_WITH_STATE);
        m.put("torch._tensor._rebuild_from_type_v2", REBUILD_FROM_TYPE_V2);
        m.put("torch.Tensor", new ClassRef("torch.Tensor", null));
        m.put("torch.nn.parameter.Parameter", new ClassRef("torch.nn.parameter.Parameter", null));
        for (ElementType t : ElementType.values()) {
            m.put("torch." + t.torchStorage, new ClassRef("torch." + t.torchStorage, t));
        }
        return Map.copyOf(m);
    }

    /** Storages by key, shared by all pickles of one file (legacy files pickle several). */
    private final Map<String, StorageRef> storages;

    TorchUnpickler(Map<String, StorageRef> storages) {
        this.storages = storages;
    }

    /** Tuple nesting depth (tuples are immutable, so a tuple's depth is known when it is built). */
    private final Map<Object[], Integer> tupleDepth = new IdentityHashMap<>();

    private final int maxDepth = InputLimits.maxPickleDepth();

    /**
     * Unpickles one object from the stream (which advances past its STOP opcode). Razorvine's own
     * failures on malformed opcodes (a pop from an empty stack, an APPEND to a non-list, a bad
     * number literal: IndexOutOfBounds, ClassCast, NumberFormat exceptions) become a
     * {@link FormatException} naming the byte position.
     */
    Object load(BytesInput in) {
        try {
            return super.load(in);
        } catch (IOException e) {
            throw new FormatException("truncated or corrupt pickle: " + e.getMessage());
        } catch (PickleException e) {
            throw e;
        } catch (RuntimeException e) {
            FormatException f = new FormatException("malformed pickle before byte " + in.position() + ": " + e);
            f.initCause(e);
            throw f;
        }
    }

    // ---------------------------------------------------------------- opcodes we handle ourselves

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolve(module, name));
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new FormatException(
                            "STACK_GLOBAL needs two strings, got " + describe(module) + " and " + describe(name));
                }
                stack.add(resolve(m, n));
            }
            case Opcodes.INST -> {
                IObjectConstructor c = resolve(PickleUtils.readline(input), PickleUtils.readline(input));
                stack.add(c.construct(stack.pop_all_since_marker().toArray()));
            }
            case Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 ->
                throw new FormatException(
                        "refusing to load a class from the copyreg extension registry: " + ALLOWED_SUMMARY);
            case Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER ->
                throw new FormatException("out-of-band pickle buffers are not supported");
            case Opcodes.BUILD -> {
                stack.pop(); // the state: for an OrderedDict, {'_metadata': ...}, which we ignore
                Object target = stack.peek();
                if (!(target instanceof OrderedDictValue)) {
                    throw new FormatException("refusing to set the state of a " + describe(target)
                            + ": only an OrderedDict's _metadata may be set");
                }
            }
            case Opcodes.TUPLE, Opcodes.TUPLE1, Opcodes.TUPLE2, Opcodes.TUPLE3 -> {
                super.dispatch(key);
                checkDepth((Object[]) stack.peek());
            }
            case Opcodes.EMPTY_SET, Opcodes.FROZENSET, Opcodes.ADDITEMS ->
                throw new FormatException(
                        "sets are not part of a state dict (opcode 0x" + Integer.toHexString(key) + ")");
            case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case Opcodes.DICT -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                putPairs(m, stack.pop_all_since_marker());
                stack.add(m);
            }
            case Opcodes.SETITEM -> {
                Object value = stack.pop();
                Object k = stack.pop();
                asMap(stack.peek()).put(checkKey(k), value);
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(asMap(stack.peek()), items);
            }
            case Opcodes.BINSTRING, Opcodes.BINBYTES, Opcodes.BINUNICODE, Opcodes.LONG4 -> {
                checkLength(key, 4);
                return super.dispatch(key);
            }
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> {
                checkLength(key, 8);
                return super.dispatch(key);
            }
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    private static IObjectConstructor resolve(String module, String name) {
        String qualified = module + "." + name;
        IObjectConstructor c = ALLOWED.get(qualified);
        if (c != null) {
            return c;
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw new FormatException("storage type '" + qualified + "' is not supported (supported: "
                    + Arrays.stream(ElementType.values())
                            .map(t -> "torch." + t.torchStorage)
                            .toList() + ")");
        }
        throw new FormatException("refusing to load '" + qualified + "': " + ALLOWED_SUMMARY);
    }

    /** Rejects a 4- or 8-byte length prefix larger than the bytes left, before anything is allocated. */
    private void checkLength(short opcode, int width) throws IOException {
        BytesInput in = (BytesInput) input;
        in.mark(width);
        byte[] b = in.readNBytes(width);
        in.reset();
        if (b.length < width) {
            throw new FormatException(
                    "truncated pickle: opcode 0x" + Integer.toHexString(opcode) + " at the end of the data");
        }
        // read unsigned: a negative signed length becomes huge and fails the check below
        long len = width == 4 ? PickleUtils.bytes_to_integer(b) & 0xffffffffL : PickleUtils.bytes_to_long(b, 0);
        if (len < 0 || len > in.remaining() - width) {
            throw new FormatException("truncated or corrupt pickle: opcode 0x" + Integer.toHexString(opcode)
                    + " at byte " + in.position() + " claims " + len + " bytes but only "
                    + Math.max(0, in.remaining() - width) + " remain");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new FormatException("SETITEM(S) on a " + describe(o) + ", not a dict");
    }

    private static void putPairs(Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new FormatException("odd number of items (" + items.size() + ") for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            m.put(checkKey(items.get(i)), items.get(i + 1));
        }
    }

    /**
     * Dict keys must be strings, numbers, booleans or None (a state dict's are strings): hashing a
     * list or dict key would recurse through it, without bound for one that contains itself.
     */
    private static Object checkKey(Object k) {
        if (k == null || k instanceof String || k instanceof Number || k instanceof Boolean) {
            return k;
        }
        throw new FormatException("dict key " + describe(k) + " is not a string or number");
    }

    /** Rejects a tuple nested deeper than {@link InputLimits#maxPickleDepth()}. */
    private void checkDepth(Object[] tuple) {
        int depth = 1;
        for (Object o : tuple) {
            if (o instanceof Object[] inner) {
                depth = Math.max(depth, 1 + tupleDepth.getOrDefault(inner, 1));
            }
        }
        if (depth > maxDepth) {
            throw new FormatException("tuples nested " + depth + " deep, more than the limit of " + maxDepth
                    + " (system property " + InputLimits.MAX_PICKLE_DEPTH + ")");
        }
        if (depth > 1) {
            tupleDepth.put(tuple, depth);
        }
    }

    // ---------------------------------------------------------------- persistent ids: storages

    /**
     * {@code ('storage', torch.FloatStorage, key, location, numel)}, plus a sixth item in the
     * legacy format: {@code None} or {@code (view_key, offset, size)} for a view of the storage.
     */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || t.length > 6 || !"storage".equals(t[0])) {
            throw new FormatException("unsupported persistent id " + describe(pid)
                    + " (expected ('storage', type, key, location, numel))");
        }
        if (!(t[1] instanceof ClassRef c) || c.storageType() == null) {
            throw new FormatException("persistent id names storage type " + describe(t[1]) + ", not a torch.*Storage");
        }
        if (!(t[2] instanceof String key) || !(t[3] instanceof String)) {
            throw new FormatException("persistent id has a non-string key or location: " + describe(pid));
        }
        long numel = nonNegative(t[4], "storage '" + key + "' element count");
        StorageRef ref = new StorageRef(key, c.storageType(), numel);
        StorageRef prev = storages.putIfAbsent(key, ref);
        if (prev != null && !prev.equals(ref)) {
            throw new FormatException("storage '" + key + "' is declared as both " + prev.type().torchStorage + "("
                    + prev.numel() + ") and " + ref.type().torchStorage + "(" + ref.numel() + ")");
        }
        ref = prev != null ? prev : ref;
        if (t.length == 6 && t[5] != null) {
            if (!(t[5] instanceof Object[] view) || view.length != 3) {
                throw new FormatException("storage '" + key + "' has malformed view metadata " + describe(t[5]));
            }
            long offset = nonNegative(view[1], "storage view offset");
            long size = nonNegative(view[2], "storage view size");
            if (offset + size > numel) {
                throw new FormatException("storage view [" + offset + ", " + (offset + size)
                        + ") lies outside storage '" + key + "' of " + numel + " elements");
            }
            return new StorageView(ref, offset, size);
        }
        return new StorageView(ref, 0, numel);
    }

    // ---------------------------------------------------------------- allowed constructors

    private static Object orderedDict(Object[] args) {
        OrderedDictValue d = new OrderedDictValue();
        if (args.length == 1 && args[0] instanceof List<?> pairs) {
            for (Object p : pairs) {
                Object[] kv = p instanceof Object[] a ? a : p instanceof List<?> l ? l.toArray() : null;
                if (kv == null || kv.length != 2) {
                    throw new FormatException("OrderedDict item " + describe(p) + " is not a (key, value) pair");
                }
                d.put(checkKey(kv[0]), kv[1]);
            }
        } else if (args.length != 0) {
            throw new FormatException("OrderedDict expects () or a list of pairs, got " + args.length + " arguments");
        }
        return d;
    }

    /**
     * {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
     * backward_hooks[, metadata])} or legacy {@code _rebuild_tensor(storage, offset, size, stride)}:
     * a strided view into the storage, checked to stay inside it.
     */
    private static Object rebuildTensor(String fn, Object[] args, int expected) {
        if (args.length != expected && !(expected == 6 && args.length == 7)) {
            throw new FormatException(fn + " expects " + expected + " arguments, got " + args.length);
        }
        if (!(args[0] instanceof StorageView view)) {
            throw new FormatException(fn + ": first argument must be a storage, got " + describe(args[0]));
        }
        long offset = nonNegative(args[1], fn + " storage offset");
        if (offset > view.size()) {
            throw new FormatException(fn + ": storage offset " + offset + " is past the end of storage '"
                    + view.root().key() + "' of " + view.size() + " elements");
        }
        int[] size = intTuple(args[2], fn + " size");
        int[] stride = intTuple(args[3], fn + " stride");
        if (size.length != stride.length) {
            throw new FormatException(fn + ": size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride)
                    + " have different lengths");
        }
        long numel = 1;
        long last = offset; // index of the last element addressed
        for (int d = 0; d < size.length; d++) {
            numel = Math.min(numel * size[d], Integer.MAX_VALUE + 1L);
            last += (long) Math.max(size[d] - 1, 0) * stride[d];
        }
        if (numel > Integer.MAX_VALUE) {
            throw new FormatException(
                    fn + ": size " + Arrays.toString(size) + " has more than " + Integer.MAX_VALUE + " elements");
        }
        if (numel > 0 && last >= view.size()) {
            throw new FormatException(fn + ": tensor of size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + " at offset " + offset + " reaches element " + last + " of storage '"
                    + view.root().key() + "', which has " + view.size() + " elements");
        }
        return new PendingTensor(view, offset, size, stride);
    }

    /** {@code _rebuild_parameter(data, requires_grad, backward_hooks[, state])}: the data tensor. */
    private static Object parameter(String fn, Object[] args, int expected) {
        if (args.length != expected || !(args[0] instanceof PendingTensor t)) {
            throw new FormatException(fn + " expects (tensor, requires_grad, hooks" + (expected == 4 ? ", state" : "")
                    + "), got " + describe(args));
        }
        return t;
    }

    /** {@code _rebuild_from_type_v2(func, new_type, args, state)} for plain tensors and parameters. */
    private static Object rebuildFromType(Object[] args) {
        if (args.length != 4
                || !(args[0] instanceof IObjectConstructor func)
                || !TENSOR_REBUILDERS.contains(func)
                || !(args[1] instanceof ClassRef type)
                || type.storageType() != null
                || !(args[2] instanceof Object[] inner)) {
            throw new FormatException("_rebuild_from_type_v2 expects (tensor rebuild function, torch.Tensor or "
                    + "Parameter, args, state), got " + describe(args));
        }
        return func.construct(inner);
    }

    private static long nonNegative(Object o, String what) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            long v = ((Number) o).longValue();
            if (v >= 0) {
                return v;
            }
        }
        throw new FormatException(what + " must be a non-negative integer, got " + describe(o));
    }

    private static int[] intTuple(Object o, String what) {
        if (!(o instanceof Object[] a)) {
            throw new FormatException(what + " must be a tuple of integers, got " + describe(o));
        }
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            long v = nonNegative(a[i], what + "[" + i + "]");
            if (v > Integer.MAX_VALUE) {
                throw new FormatException(what + "[" + i + "] = " + v + " is too large");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** A Python-ish description of an unpickled value for error messages (nested tuples abbreviated). */
    static String describe(Object o) {
        return describe(o, 3);
    }

    private static String describe(Object o, int depth) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[] a) {
            if (depth == 0) {
                return "tuple(...)";
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Math.min(a.length, 8); i++) {
                parts.add(describe(a[i], depth - 1));
            }
            if (a.length > 8) {
                parts.add("... " + (a.length - 8) + " more");
            }
            return "tuple(" + String.join(", ", parts) + ")";
        }
        return switch (o) {
            case String s -> s.length() > 40 ? "str '" + s.substring(0, 40) + "...'" : "str '" + s + "'";
            case Integer i -> "int " + i;
            case Long l -> "int " + l;
            case BigInteger b -> "int " + b;
            case Double d -> "float " + d;
            case Boolean b -> "bool " + b;
            case OrderedDictValue d -> "OrderedDict";
            case Map<?, ?> m -> "dict";
            case List<?> l -> "list";
            case PendingTensor t -> "tensor";
            case StorageView s -> "storage '" + s.root().key() + "'";
            case ClassRef c -> "class " + c.name();
            case IObjectConstructor c -> "function";
            default -> o.getClass().getSimpleName();
        };
    }
}
