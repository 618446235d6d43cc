package dev.torchlet.nn.functional;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.PackedSequence;
import dev.torchlet.ops.Recurrent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The composites behind {@link F}'s recurrent functions: one direction of a layer (forward or
 * time-reversed, full or variable-length), LSTM with a projection, the cells, and packing.
 *
 * <p>Variable lengths reuse the fused whole-sequence op ({@link Recurrent}): with the sequences in
 * decreasing order of length, the steps split into segments over which the set of running sequences
 * does not change; each segment is one fused call on the running rows, the finished rows keep their
 * state. A reversed direction permutes every sequence's valid steps (s -> len-1-s; padding stays in
 * place) before the input projection, runs forward, and permutes the output back.
 */
final class RecurrentSequences {
    private RecurrentSequences() {}

    // ---------------------------------------------------------------- one direction of a layer

    static Recurrent.Result direction(
            String op,
            F.RecurrentCell cell,
            Tensor x,
            int[] lengths,
            boolean reverse,
            Tensor h0,
            Tensor c0,
            Tensor wih,
            Tensor whh,
            Tensor bih,
            Tensor bhh,
            Tensor whr) {
        if (x.dim() != 3) {
            throw new IllegalArgumentException(
                    op + ": expected input (B, T, in), got " + Shape.str(TensorInternals.shapeRef(x)));
        }
        int b = x.size(0);
        int t = x.size(1);
        int in = x.size(2);
        if (wih.dim() != 2 || wih.size(1) != in) {
            throw new IllegalArgumentException(
                    op + ": input has " + in + " features but W_ih is " + Shape.str(TensorInternals.shapeRef(wih)));
        }
        int[] len = checkLengths(op, lengths, b, t);
        Tensor rows = x.reshape(b * t, in);
        Tensor perm = reverse ? reversal(b, t, len) : null;
        if (perm != null) {
            rows = rows.indexSelect(0, perm);
        }
        // (B*T, in) @ (in, G*H): the input projection of every step at once (one GEMM, also in backward)
        Tensor xp = rows.matmul(wih.t()).view(b, t, -1);
        Recurrent.Result r = whr == null
                ? fused(op, cell, xp, len, h0, c0, whh, bih, bhh)
                : projected(op, xp, len, h0, c0, whh, bih, bhh, whr);
        Tensor out = r.output();
        if (perm != null) {
            int hr = out.size(2);
            out = out.reshape(b * t, hr).indexSelect(0, perm).view(b, t, hr);
        }
        return new Recurrent.Result(out, r.hn(), r.cn());
    }

    /** Null for "every sequence has all T steps"; else the lengths, checked to be in [1, T] and non-increasing. */
    private static int[] checkLengths(String op, int[] lengths, int b, int t) {
        if (lengths == null) {
            return null;
        }
        if (lengths.length != b) {
            throw new IllegalArgumentException(
                    op + ": expected " + b + " lengths (one per sequence), got " + lengths.length);
        }
        boolean full = true;
        for (int i = 0; i < b; i++) {
            if (lengths[i] < 1 || lengths[i] > t || i > 0 && lengths[i] > lengths[i - 1]) {
                throw new IllegalArgumentException(op + ": lengths must be in [1, " + t
                        + "] and in decreasing order, got " + Arrays.toString(lengths));
            }
            full &= lengths[i] == t;
        }
        return full ? null : lengths;
    }

    /** Row index into (B*T) rows that reverses each sequence's first len steps and leaves its padding. */
    private static Tensor reversal(int b, int t, int[] len) {
        long[] idx = new long[b * t];
        for (int r = 0; r < b; r++) {
            int l = len == null ? t : len[r];
            for (int s = 0; s < t; s++) {
                idx[r * t + s] = (long) r * t + (s < l ? l - 1 - s : s);
            }
        }
        return Torch.tensor(idx, b * t);
    }

    /** Fused cells, one op call per segment of steps with the same running sequences. */
    private static Recurrent.Result fused(
            String op,
            F.RecurrentCell cell,
            Tensor xp,
            int[] len,
            Tensor h0,
            Tensor c0,
            Tensor whh,
            Tensor bih,
            Tensor bhh) {
        if (len == null) {
            return F.recurrent(op, cell, xp, h0, c0, whh, bih, bhh);
        }
        int b = xp.size(0);
        int t = xp.size(1);
        int hs = whh.size(1);
        DType dt = xp.dtype();
        Tensor h = h0;
        Tensor c = c0;
        List<Tensor> outs = new ArrayList<>();
        int t0 = 0;
        while (t0 < t) {
            int bs = running(len, t0);
            if (bs == 0) {
                outs.add(Torch.zeros(dt, b, t - t0, hs));
                break;
            }
            int t1 = Math.min(t, len[bs - 1]);
            Recurrent.Result r = F.recurrent(
                    op,
                    cell,
                    xp.narrow(0, 0, bs).narrow(1, t0, t1 - t0),
                    h.narrow(0, 0, bs),
                    c == null ? null : c.narrow(0, 0, bs),
                    whh,
                    bih,
                    bhh);
            Tensor seg = r.output(); // (bs, t1 - t0, H)
            if (bs < b) {
                seg = Torch.cat(List.of(seg, Torch.zeros(dt, b - bs, t1 - t0, hs)), 0);
                h = Torch.cat(List.of(r.hn(), h.narrow(0, bs, b - bs)), 0);
                c = c == null ? null : Torch.cat(List.of(r.cn(), c.narrow(0, bs, b - bs)), 0);
            } else {
                h = r.hn();
                c = r.cn();
            }
            outs.add(seg);
            t0 = t1;
        }
        return new Recurrent.Result(outs.size() == 1 ? outs.get(0) : Torch.cat(outs, 1), h, c);
    }

    /** How many (leading, since sorted) sequences are longer than step s. */
    private static int running(int[] len, int s) {
        if (len == null) {
            return Integer.MAX_VALUE;
        }
        int bs = 0;
        while (bs < len.length && len[bs] > s) {
            bs++;
        }
        return bs;
    }

    /**
     * LSTM with a projection, step by step in tensor ops (autograd gives the backward):
     * gates = xp_t + b_ih + h W_hh^T + b_hh; c' = f c + i g; h' = (o tanh(c')) W_hr^T.
     */
    private static Recurrent.Result projected(
            String op, Tensor xp, int[] len, Tensor h0, Tensor c0, Tensor whh, Tensor bih, Tensor bhh, Tensor whr) {
        int b = xp.size(0);
        int t = xp.size(1);
        int hs = whr.size(1);
        int ps = whr.size(0);
        if (whh.dim() != 2 || whh.size(0) != 4 * hs || whh.size(1) != ps || xp.size(2) != 4 * hs) {
            throw new IllegalArgumentException(op + ": with a projection expected W_hh (" + 4 * hs + ", " + ps
                    + "), got " + Shape.str(TensorInternals.shapeRef(whh)));
        }
        checkState(op, "h0", h0, b, ps);
        checkState(op, "c0", c0, b, hs);
        DType dt = xp.dtype();
        Tensor h = h0;
        Tensor c = c0;
        List<Tensor> outs = new ArrayList<>();
        for (int s = 0; s < t; s++) {
            int bs = Math.min(b, running(len, s));
            if (bs == 0) {
                outs.add(Torch.zeros(dt, b, ps));
                continue;
            }
            Tensor hb = bs < b ? h.narrow(0, 0, bs) : h;
            Tensor cb = bs < b ? c.narrow(0, 0, bs) : c;
            Tensor xs = xp.select(1, s);
            Tensor gates = (bs < b ? xs.narrow(0, 0, bs) : xs).add(hb.matmul(whh.t()));
            if (bih != null) {
                gates = gates.add(bih);
            }
            if (bhh != null) {
                gates = gates.add(bhh);
            }
            Tensor i = gates.narrow(1, 0, hs).sigmoid();
            Tensor f = gates.narrow(1, hs, hs).sigmoid();
            Tensor g = gates.narrow(1, 2 * hs, hs).tanh();
            Tensor o = gates.narrow(1, 3 * hs, hs).sigmoid();
            Tensor cNew = f.mul(cb).add(i.mul(g));
            Tensor hNew = o.mul(cNew.tanh()).matmul(whr.t()); // (bs, P)
            if (bs < b) {
                outs.add(Torch.cat(List.of(hNew, Torch.zeros(dt, b - bs, ps)), 0));
                h = Torch.cat(List.of(hNew, h.narrow(0, bs, b - bs)), 0);
                c = Torch.cat(List.of(cNew, c.narrow(0, bs, b - bs)), 0);
            } else {
                outs.add(hNew);
                h = hNew;
                c = cNew;
            }
        }
        return new Recurrent.Result(Torch.stack(outs, 1), h, c);
    }

    private static void checkState(String op, String name, Tensor x, int b, int n) {
        if (x == null || x.dim() != 2 || x.size(0) != b || x.size(1) != n) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape (" + b + ", " + n + "), got "
                    + (x == null ? "null" : Shape.str(TensorInternals.shapeRef(x))));
        }
    }

    // ---------------------------------------------------------------- cells

    /** One step of a cell on (B, in) or unbatched (in) input: the fused op with T = 1. */
    static Recurrent.Result cell(
            String op,
            F.RecurrentCell cell,
            Tensor x,
            Tensor h,
            Tensor c,
            Tensor wih,
            Tensor whh,
            Tensor bih,
            Tensor bhh) {
        int hs = whh.size(1);
        int in = wih.size(1);
        boolean unbatched = x.dim() == 1;
        if (x.dim() != 1 && x.dim() != 2 || x.size(x.dim() - 1) != in) {
            throw new IllegalArgumentException(op + ": expected input of shape (B, " + in + ") or (" + in + "), got "
                    + Shape.str(TensorInternals.shapeRef(x)));
        }
        Tensor xb = unbatched ? x.unsqueeze(0) : x;
        int b = xb.size(0);
        Tensor hb = cellState(op, "h", h, unbatched, b, hs, xb.dtype());
        Tensor cb = cell == F.RecurrentCell.LSTM ? cellState(op, "c", c, unbatched, b, hs, xb.dtype()) : null;
        Tensor xp = xb.matmul(wih.t()).view(b, 1, -1);
        Recurrent.Result r = F.recurrent(op, cell, xp, hb, cb, whh, bih, bhh);
        Tensor hn = unbatched ? r.hn().squeeze(0) : r.hn();
        Tensor cn = r.cn() == null ? null : unbatched ? r.cn().squeeze(0) : r.cn();
        return new Recurrent.Result(hn, hn, cn);
    }

    private static Tensor cellState(String op, String name, Tensor s, boolean unbatched, int b, int hs, DType dt) {
        if (s == null) {
            return Torch.zeros(dt, b, hs);
        }
        boolean ok = unbatched ? s.dim() == 1 && s.size(0) == hs : s.dim() == 2 && s.size(0) == b && s.size(1) == hs;
        if (!ok) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape "
                    + (unbatched ? "(" + hs + ")" : "(" + b + ", " + hs + ")") + ", got "
                    + Shape.str(TensorInternals.shapeRef(s)));
        }
        return unbatched ? s.unsqueeze(0) : s;
    }

    // ---------------------------------------------------------------- packing

    static PackedSequence pack(Tensor input, int[] lengths, boolean batchFirst, boolean enforceSorted) {
        String op = "packPaddedSequence";
        if (input.dim() < 2) {
            throw new IllegalArgumentException(op + ": expected input " + (batchFirst ? "(B, T, *)" : "(T, B, *)")
                    + ", got " + Shape.str(TensorInternals.shapeRef(input)));
        }
        int b = input.size(batchFirst ? 0 : 1);
        int t = input.size(batchFirst ? 1 : 0);
        if (lengths.length != b) {
            throw new IllegalArgumentException(op + ": expected " + b + " lengths (one per sequence of input "
                    + Shape.str(TensorInternals.shapeRef(input)) + "), got " + lengths.length);
        }
        for (int l : lengths) {
            if (l < 1 || l > t) {
                throw new IllegalArgumentException(op + ": every length must be in [1, " + t
                        + "] (T of the input " + Shape.str(TensorInternals.shapeRef(input)) + "), got "
                        + Arrays.toString(lengths));
            }
        }
        int[] order;
        if (enforceSorted) {
            for (int i = 1; i < b; i++) {
                if (lengths[i] > lengths[i - 1]) {
                    throw new IllegalArgumentException(op + ": lengths must be sorted in decreasing order when"
                            + " enforceSorted is true, got " + Arrays.toString(lengths)
                            + "; pass enforceSorted = false to pack unsorted sequences");
                }
            }
            order = IntStream.range(0, b).toArray();
        } else {
            order = IntStream.range(0, b)
                    .boxed()
                    .sorted((p, q) -> Integer.compare(lengths[q], lengths[p]))
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        int maxLen = lengths[order[0]];
        long[] batchSizes = new long[maxLen];
        int total = 0;
        for (int s = 0; s < maxLen; s++) {
            int bs = 0;
            while (bs < b && lengths[order[bs]] > s) {
                bs++;
            }
            batchSizes[s] = bs;
            total += bs;
        }
        long[] idx = new long[total];
        int n = 0;
        for (int s = 0; s < maxLen; s++) {
            for (int i = 0; i < batchSizes[s]; i++) {
                int r = order[i];
                idx[n++] = batchFirst ? (long) r * t + s : (long) s * b + r;
            }
        }
        int[] rest = Arrays.copyOfRange(input.shape(), 2, input.dim());
        int feat = Shape.numel(rest);
        Tensor data = input.reshape(b * t, feat).indexSelect(0, Torch.tensor(idx, total));
        data = data.view(concat(total, rest));
        Tensor sorted = null;
        Tensor unsorted = null;
        if (!enforceSorted) {
            long[] so = new long[b];
            long[] un = new long[b];
            for (int i = 0; i < b; i++) {
                so[i] = order[i];
                un[order[i]] = i;
            }
            sorted = Torch.tensor(so, b);
            unsorted = Torch.tensor(un, b);
        }
        return new PackedSequence(data, Torch.tensor(batchSizes, maxLen), sorted, unsorted);
    }

    /**
     * The padded batch of a packed sequence: (B, T, *) if batchFirst else (T, B, *), T = totalLength
     * if &gt; 0 (at least the longest), else the longest; in the original order if {@code unsort}.
     */
    static PackedSequence.Padded pad(
            PackedSequence seq, boolean batchFirst, double paddingValue, int totalLength, boolean unsort) {
        String op = "padPackedSequence";
        int[] bsz = seq.batchSizesArray();
        int maxLen = bsz.length;
        if (totalLength > 0 && totalLength < maxLen) {
            throw new IllegalArgumentException(op + ": totalLength " + totalLength
                    + " is shorter than the longest sequence (" + maxLen + " steps)");
        }
        int t = totalLength > 0 ? totalLength : maxLen;
        int b = bsz[0];
        int[] sortedLen = seq.sortedLengths();
        long[] un =
                unsort && seq.unsortedIndices() != null ? seq.unsortedIndices().toLongArray() : null;
        int[] offset = new int[maxLen + 1];
        for (int s = 0; s < maxLen; s++) {
            offset[s + 1] = offset[s] + bsz[s];
        }
        int total = offset[maxLen];
        long[] idx = new long[b * t];
        long[] lengths = new long[b];
        for (int r = 0; r < b; r++) {
            int sp = un == null ? r : (int) un[r]; // position in the sorted batch
            lengths[r] = sortedLen[sp];
            for (int s = 0; s < t; s++) {
                int dst = batchFirst ? r * t + s : s * b + r;
                idx[dst] = s < sortedLen[sp] ? offset[s] + sp : total; // row `total` = the padding row
            }
        }
        Tensor data = seq.data();
        int[] rest = Arrays.copyOfRange(data.shape(), 1, data.dim());
        int feat = Shape.numel(rest);
        Tensor padRow = Torch.full(data.dtype(), paddingValue, 1, feat);
        Tensor padded =
                Torch.cat(List.of(data.reshape(total, feat), padRow), 0).indexSelect(0, Torch.tensor(idx, b * t));
        int[] shape = batchFirst ? concat2(b, t, rest) : concat2(t, b, rest);
        return new PackedSequence.Padded(padded.view(shape), Torch.tensor(lengths, b));
    }

    /** The packed data of a batch-first padded (B, T, *) tensor in the sorted order of {@code like}. */
    static Tensor packSorted(Tensor padded, PackedSequence like) {
        int[] bsz = like.batchSizesArray();
        int b = bsz[0];
        int t = bsz.length;
        if (padded.dim() < 2 || padded.size(0) != b || padded.size(1) != t) {
            throw new IllegalArgumentException("packSorted: expected (" + b + ", " + t + ", *), got "
                    + Shape.str(TensorInternals.shapeRef(padded)));
        }
        int total = 0;
        for (int v : bsz) {
            total += v;
        }
        long[] idx = new long[total];
        int n = 0;
        for (int s = 0; s < t; s++) {
            for (int r = 0; r < bsz[s]; r++) {
                idx[n++] = (long) r * t + s;
            }
        }
        int[] rest = Arrays.copyOfRange(padded.shape(), 2, padded.dim());
        int feat = Shape.numel(rest);
        return padded.reshape(b * t, feat)
                .indexSelect(0, Torch.tensor(idx, total))
                .view(concat(total, rest));
    }

    private static int[] concat(int first, int[] rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }

    private static int[] concat2(int first, int second, int[] rest) {
        int[] s = new int[rest.length + 2];
        s[0] = first;
        s[1] = second;
        System.arraycopy(rest, 0, s, 2, rest.length);
        return s;
    }
}
