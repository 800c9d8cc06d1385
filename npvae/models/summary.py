"""The model as Keras prints it: each layer's name, type, output shape and parameters."""
import numpy as np


def summary_table(model):
    """The model's layers as a Keras-like table: name, type, output shape, parameters.

    Output shapes are not computed from formulas: one zero image is run through the
    encoder, and a zero code through the decoder, and the shapes are read off.
    """
    rows = [("encoder/input", "Input", (1, *model.config["input_shape"]), 0)]
    h = np.zeros((1, *model.config["input_shape"]), dtype=model.dtype)
    for name, layer in model.encoder.trunk.named_layers:
        h = layer.forward(h)
        rows.append((f"encoder/{name}", layer, h.shape, None))
    mean, log_var = model.encoder.z_mean.forward(h), model.encoder.z_log_var.forward(h)
    rows += [("encoder/z_mean", model.encoder.z_mean, mean.shape, None),
             ("encoder/z_log_var", model.encoder.z_log_var, log_var.shape, None)]
    # Fixed eps: the summary must not consume the model's sampling noise.
    z = model.sampling.forward(mean, log_var, eps=np.zeros_like(mean))
    rows.append(("sampling", model.sampling, z.shape, None))
    for name, layer in model.decoder.named_layers:
        z = layer.forward(z)
        rows.append((f"decoder/{name}", layer, z.shape, None))
    rows.append(("decoder/sigmoid", "sigmoid (in generate)", z.shape, 0))
    return _format_table(model, rows)


def _format_table(model, rows):
    header = ("Layer", "Type", "Output shape", "Params")
    cells = [header] + [
        (name, kind if isinstance(kind, str) else type(kind).__name__,
         "(None, " + ", ".join(map(str, shape[1:])) + ")",
         f"{params if params is not None else _param_count(kind):,}")
        for name, kind, shape, params in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    line = "  ".join(["{:<%d}" % w for w in widths[:3]] + ["{:>%d}" % widths[3]])
    rule = "=" * len(line.format(*header))
    encoder = sum(_param_count(layer) for _, layer in model.encoder.named_layers)
    decoder = sum(_param_count(layer) for _, layer in model.decoder.named_layers)
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
