package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Einsum (opset 12+) from differentiable tensor ops. Each operand first takes its diagonals (a label repeated
 * within it, "ii") and sums out labels no one else needs; then the operands are folded left to right, two at a
 * time, as one batched matmul:
 *
 * <pre>
 * A (batch, left, contracted) -> (b, l, c);  B (batch, contracted, right) -> (b, c, r);  A @ B -> (b, l, r)
 * </pre>
 *
 * where batch labels are in both and still needed, contracted labels are in both and needed no more. The last
 * result is summed over labels the output lacks and permuted to the output's order. "..." stands for the same
 * broadcast dims in every operand (right-aligned, size 1 broadcasts); without "->" the output is "..." then the
 * labels used once, in alphabetical (character) order.
 */
final class OnnxEinsum {
    private OnnxEinsum() {}

    /** Ellipsis dim j (0 = leftmost of the broadcast ellipsis) gets label ELLIPSIS + j, apart from the letters. */
    private static final int ELLIPSIS = 1 << 16;

    static void register(Map<String, OnnxOps.Op> ops) {
        ops.put("Einsum", (n, in, t) -> new Tensor[] {einsum(n.s("equation", ""), in)});
    }

    /** A tensor and the label of each of its dims. */
    private record Term(Tensor t, List<Integer> labels) {}

    static Tensor einsum(String equation, Tensor... operands) {
        String eq = equation.replace(" ", "");
        int arrow = eq.indexOf("->");
        String[] inputs = (arrow < 0 ? eq : eq.substring(0, arrow)).split(",", -1);
        if (inputs.length != operands.length) {
            throw new IllegalArgumentException("Einsum '" + equation + "' names " + inputs.length + " operands but has "
                    + operands.length + " inputs");
        }
        int ellipsisRank = 0;
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k].contains("...")) {
                ellipsisRank = Math.max(ellipsisRank, operands[k].dim() - (inputs[k].length() - 3));
            }
        }
        List<Term> terms = new ArrayList<>();
        for (int k = 0; k < inputs.length; k++) {
            terms.add(new Term(operands[k], parse(equation, inputs[k], operands[k].dim(), ellipsisRank)));
        }
        List<Integer> output = arrow >= 0
                ? parse(equation, eq.substring(arrow + 2), -1, ellipsisRank)
                : implicitOutput(terms, ellipsisRank);
        for (int label : output) {
            if (terms.stream().noneMatch(term -> term.labels.contains(label))) {
                throw new IllegalArgumentException(
                        "Einsum '" + equation + "': output label '" + name(label) + "' is in no input");
            }
        }
        for (int k = 0; k < terms.size(); k++) {
            terms.set(k, diagonals(terms.get(k)));
        }
        Map<Integer, Integer> sizes = broadcastSizes(equation, terms);
        Term acc = reduce(terms.get(0), needed(output, terms, 0));
        for (int k = 1; k < terms.size(); k++) {
            Set<Integer> keep = needed(output, terms, k);
            keep.addAll(acc.labels); // labels shared with the result so far are contracted, not summed alone
            Term next = reduce(terms.get(k), keep);
            acc = contract(acc, next, needed(output, terms, k), sizes);
        }
        acc = reduce(acc, new LinkedHashSet<>(output));
        int[] order = output.stream().mapToInt(acc.labels::indexOf).toArray();
        return acc.t.permute(order);
    }

    /** Labels of one term: letters as their character, "..." as ellipsisRank labels (right-aligned for inputs). */
    private static List<Integer> parse(String equation, String term, int rank, int ellipsisRank) {
        List<Integer> labels = new ArrayList<>();
        int dots = term.indexOf("...");
        String letters = term.replace("...", "");
        for (char c : letters.toCharArray()) {
            if (!Character.isLetter(c)) {
                throw new IllegalArgumentException("Einsum '" + equation + "': '" + c + "' is not a label");
            }
        }
        int ellipsisDims = dots < 0 ? 0 : (rank < 0 ? ellipsisRank : rank - letters.length());
        if (rank >= 0 && letters.length() + ellipsisDims != rank || ellipsisDims < 0) {
            throw new IllegalArgumentException(
                    "Einsum '" + equation + "': term '" + term + "' does not fit an " + "operand of rank " + rank);
        }
        for (int p = 0; p < term.length(); p++) {
            if (p == dots) {
                for (int j = ellipsisRank - ellipsisDims; j < ellipsisRank; j++) {
                    labels.add(ELLIPSIS + j);
                }
                p += 2;
            } else {
                labels.add((int) term.charAt(p));
            }
        }
        return labels;
    }

    private static List<Integer> implicitOutput(List<Term> terms, int ellipsisRank) {
        List<Integer> out = new ArrayList<>();
        for (int j = 0; j < ellipsisRank; j++) {
            out.add(ELLIPSIS + j);
        }
        Set<Integer> once = new TreeSet<>();
        Set<Integer> seen = new TreeSet<>();
        for (Term term : terms) {
            for (int label : term.labels) {
                if (label < ELLIPSIS && !seen.add(label)) {
                    once.remove(label);
                } else if (label < ELLIPSIS) {
                    once.add(label);
                }
            }
        }
        out.addAll(once);
        return out;
    }

    private static String name(int label) {
        return label >= ELLIPSIS ? "...(" + (label - ELLIPSIS) + ")" : String.valueOf((char) label);
    }

    /** Labels that must survive after folding in term k: the output's and those of the terms after k. */
    private static Set<Integer> needed(List<Integer> output, List<Term> terms, int k) {
        Set<Integer> keep = new LinkedHashSet<>(output);
        for (int j = k + 1; j < terms.size(); j++) {
            keep.addAll(terms.get(j).labels);
        }
        return keep;
    }

    /** Each label's size, broadcasting 1 against n; other mismatches are errors. */
    private static Map<Integer, Integer> broadcastSizes(String equation, List<Term> terms) {
        Map<Integer, Integer> sizes = new java.util.HashMap<>();
        for (Term term : terms) {
            for (int d = 0; d < term.labels.size(); d++) {
                int label = term.labels.get(d);
                int size = term.t.size(d);
                Integer have = sizes.get(label);
                if (have == null || have == 1) {
                    sizes.put(label, size);
                } else if (size != have && size != 1) {
                    throw new IllegalArgumentException("Einsum '" + equation + "': label '" + name(label)
                            + "' has sizes " + have + " and " + size);
                }
            }
        }
        return sizes;
    }

    /** "ii" -> "i": the diagonal of every pair of dims sharing a label (repeatedly, for "iii"). */
    private static Term diagonals(Term term) {
        Tensor t = term.t;
        List<Integer> labels = new ArrayList<>(term.labels);
        for (int d = 0; d < labels.size(); d++) {
            int label = labels.get(d);
            int e = labels.lastIndexOf(label);
            if (e != d) {
                t = diagonal(t, d, e); // dims d and e go, their diagonal comes last
                labels.remove(e);
                labels.remove(d);
                labels.add(label);
                d = -1; // rescan the new order
            }
        }
        return new Term(t, labels);
    }

    /** The diagonal over dims d and e (same size n), as a new last dim: (..., n, ..., n, ...) -> (..., n). */
    private static Tensor diagonal(Tensor t, int d, int e) {
        int n = t.size(d);
        if (t.size(e) != n) {
            throw new IllegalArgumentException("Einsum: a repeated label has sizes " + n + " and " + t.size(e));
        }
        int[] perm = new int[t.dim()];
        int p = 0;
        for (int k = 0; k < t.dim(); k++) {
            if (k != d && k != e) {
                perm[p++] = k;
            }
        }
        perm[p++] = d;
        perm[p] = e;
        Tensor moved = t.permute(perm);
        int[] shape = Arrays.copyOf(moved.shape(), t.dim() - 1);
        shape[shape.length - 1] = n * n;
        long[] index = new long[n];
        for (int i = 0; i < n; i++) {
            index[i] = (long) i * (n + 1);
        }
        return moved.reshape(shape).indexSelect(shape.length - 1, Torch.tensor(index, n));
    }

    /** Sums out the labels not in keep. */
    private static Term reduce(Term term, Set<Integer> keep) {
        List<Integer> labels = new ArrayList<>();
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < term.labels.size(); d++) {
            if (keep.contains(term.labels.get(d))) {
                labels.add(term.labels.get(d));
            } else {
                dims.add(d);
            }
        }
        if (dims.isEmpty()) {
            return term;
        }
        return new Term(term.t.sum(dims.stream().mapToInt(Integer::intValue).toArray(), false), labels);
    }

    /** A (batch, left, contracted) and B (batch, contracted, right) -> (batch..., left..., right...) via matmul. */
    private static Term contract(Term a, Term b, Set<Integer> keep, Map<Integer, Integer> sizes) {
        List<Integer> batch = new ArrayList<>();
        List<Integer> contracted = new ArrayList<>();
        List<Integer> left = new ArrayList<>();
        List<Integer> right = new ArrayList<>();
        for (int label : a.labels) {
            if (b.labels.contains(label)) {
                (keep.contains(label) ? batch : contracted).add(label);
            } else {
                left.add(label);
            }
        }
        for (int label : b.labels) {
            if (!a.labels.contains(label)) {
                right.add(label);
            }
        }
        Tensor x = arrange(a, batch, left, contracted, sizes); // (B, L, C)
        Tensor y = arrange(b, batch, contracted, right, sizes); // (B, C, R)
        int[] shape = new int[batch.size() + left.size() + right.size()];
        int p = 0;
        for (List<Integer> group : List.of(batch, left, right)) {
            for (int label : group) {
                shape[p++] = sizes.get(label);
            }
        }
        List<Integer> labels = new ArrayList<>(batch);
        labels.addAll(left);
        labels.addAll(right);
        return new Term(x.matmul(y).reshape(shape), labels);
    }

    /** Permutes the term to groups (g0, g1, g2), broadcasts size-1 dims, and flattens each group to one dim. */
    private static Tensor arrange(
            Term term, List<Integer> g0, List<Integer> g1, List<Integer> g2, Map<Integer, Integer> sizes) {
        List<Integer> order = new ArrayList<>(g0);
        order.addAll(g1);
        order.addAll(g2);
        int[] perm = order.stream().mapToInt(term.labels::indexOf).toArray();
        int[] full = order.stream().mapToInt(sizes::get).toArray();
        Tensor t = term.t.permute(perm).expand(full);
        return t.reshape(product(g0, sizes), product(g1, sizes), product(g2, sizes));
    }

    private static int product(List<Integer> labels, Map<Integer, Integer> sizes) {
        int p = 1;
        for (int label : labels) {
            p *= sizes.get(label);
        }
        return p;
    }
}
