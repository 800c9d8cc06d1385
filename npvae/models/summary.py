"""The model as Keras prints it: each layer's name, type, output shape and parameters."""
from npvae.models.vae import trace_blank_image


def summary_table(model):
    """The model's layers as a Keras-like table: name, type, output shape, parameters.

    Output shapes are not computed from formulas: one blank image goes through
    ``model.forward`` (``trace_blank_image``: zero noise, so the model's own Generator
    is not drawn from) and every layer's output shape is read off as it passes.
    """
    shape = tuple(model.config["input_shape"])
    rows = [("encoder/input", "Input", (1, *shape), 0)]

    def add_row(name, layer, out):
        kind = type(layer).__name__
        if getattr(layer, "activation", None) == "relu":  # the layer's own ReLU
            kind += " + ReLU"
        if hasattr(layer, "geometry"):  # a convolution: say how it is computed
            kind += f" ({layer.algorithm.for_input(rows[-1][2][1:]).name})"
        rows.append((name, kind, out.shape, _param_count(layer)))

    trace_blank_image(model, add_row)
    rows.append(("decoder/sigmoid", "sigmoid (in generate)", rows[-1][2], 0))
    return _format_table(model, rows)


def _format_table(model, rows):
    header = ("Layer", "Type", "Output shape", "Params")
    cells = [header] + [
        (name, kind, "(None, " + ", ".join(map(str, shape[1:])) + ")", f"{params:,}")
        for name, kind, shape, params in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    line = "  ".join(["{:<%d}" % w for w in widths[:3]] + ["{:>%d}" % widths[3]])
    rule = "=" * len(line.format(*header))
    encoder = sum(_param_count(layer) for _, layer in model.encoder.named_layers())
    decoder = sum(_param_count(layer) for _, layer in model.decoder.named_layers())
    return "\n".join(
        [f'Model: "vae" (latent_dim={model.config["latent_dim"]}, loss={model.loss})', rule,
         line.format(*header), rule]
        + [line.format(*row) for row in cells[1:]]
        + [rule, f"Total params: {model.count_params():,}",
           f"  encoder: {encoder:,}", f"  decoder: {decoder:,}",
           f"Size: {model.count_params() * model.dtype.itemsize / 2**20:.1f} MiB "
           f"of {model.dtype.name}"])


def _param_count(layer):
    return sum(p.size for p in layer.params.values())
