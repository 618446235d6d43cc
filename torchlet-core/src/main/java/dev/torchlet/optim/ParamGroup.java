package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share optimizer options (lr, weight_decay, ...), like one entry of PyTorch's
 * {@code param_groups}. Options not set here come from the optimizer's defaults. Fine-tuning a
 * backbone with a smaller learning rate than the head is two groups:
 * {@code List.of(ParamGroup.of(backbone.parameters()).set("lr", 1e-4), ParamGroup.of(head.parameters()))}.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Double> options = new LinkedHashMap<>();

    private ParamGroup(List<Tensor> params) {
        this.params = List.copyOf(params);
    }

    public static ParamGroup of(List<Tensor> params) {
        return new ParamGroup(params);
    }

    /** Sets an option for this group (e.g. "lr", "weight_decay", "momentum"). */
    public ParamGroup set(String option, double value) {
        options.put(option, value);
        return this;
    }

    public List<Tensor> params() {
        return params;
    }

    /** The group's options, including the defaults filled in by the optimizer. Mutable: schedulers set "lr". */
    public Map<String, Double> options() {
        return options;
    }

    public double get(String option) {
        Double v = options.get(option);
        if (v == null) {
            throw new IllegalArgumentException(
                    "param group has no option '" + option + "' (has " + options.keySet() + ")");
        }
        return v;
    }

    public double lr() {
        return get("lr");
    }

    public void setLr(double lr) {
        options.put("lr", lr);
    }
}
