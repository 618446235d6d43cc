package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Knowledge distillation (Hinton et al. 2015): the student matches the teacher's softened
 * distribution and the labels,
 * <pre>
 *   alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * CE(student, labels)
 * </pre>
 * computed as PyTorch's usual
 * {@code alpha * T*T * F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean")
 * + (1 - alpha) * F.cross_entropy(s, labels)}. The T^2 keeps the soft term's gradients on the scale of
 * the hard term's as T grows. The teacher's logits are detached (no gradient reaches the teacher).
 * Three inputs: {@code call(studentLogits, teacherLogits, labels)}, logits (B, classes), labels int64 (B).
 */
public final class DistillationLoss extends Module {
    private final double temperature;
    private final double alpha;

    /** Defaults common in the literature: T = 4, alpha = 0.9. */
    public DistillationLoss() {
        this(4, 0.9);
    }

    /**
     * @param temperature T &gt; 0, the softening of both distributions
     * @param alpha       the weight of the soft (teacher) term in [0, 1]; 1 - alpha weighs the labels
     */
    public DistillationLoss(double temperature, double alpha) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("DistillationLoss: temperature must be > 0, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("DistillationLoss: alpha must be in [0, 1], got " + alpha);
        }
        this.temperature = temperature;
        this.alpha = alpha;
    }

    public double temperature() {
        return temperature;
    }

    public double alpha() {
        return alpha;
    }

    public Tensor forward(Tensor student, Tensor teacher, Tensor labels) {
        if (student.dim() != 2 || !java.util.Arrays.equals(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException("DistillationLoss: expected student and teacher logits of the same "
                    + "shape (B, classes), got " + Shape.str(student.shape()) + " and " + Shape.str(teacher.shape()));
        }
        float t = (float) temperature;
        Tensor soft = F.klDiv(
                        F.logSoftmax(student.div(t), 1),
                        F.softmax(teacher.detach().div(t), 1),
                        Reduction.BATCHMEAN,
                        false)
                .mul((float) (alpha * temperature * temperature));
        if (alpha == 1) {
            return soft;
        }
        return soft.add(F.crossEntropy(student, labels).mul((float) (1 - alpha)));
    }

    /** Runs the loss through its forward hooks. */
    public Tensor call(Tensor student, Tensor teacher, Tensor labels) {
        return callWithHooks(a -> forward((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), student, teacher, labels);
    }

    /** Needs three inputs: always throws, naming the right call. */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(
                "DistillationLoss takes (student, teacher, labels): use call(studentLogits, teacherLogits, labels)");
    }

    @Override
    protected String extraRepr() {
        return "temperature=" + temperature + ", alpha=" + alpha;
    }
}
