"""The book's VAE, layer by layer, with the shape of what each layer outputs.

Nothing in the picture is typed in: one blank image goes through ``npvae.VAE``'s forward
pass, and each layer's name, kind and output shape are read off as it passes (the same
trace ``npvae summary`` prints), so the picture cannot disagree with the code. Each box's
height grows with the fourth root of the count of numbers it holds, so the squeeze from
784 pixels to 2 numbers and back is seen at a glance: an hourglass.
"""
import diagram
import numpy as np

from npvae import VAE


def traced_layers(model):
    """[(name, layer, output shape without the batch)] of one forward pass of ``model``,
    with the input first."""
    rows = [("input", None, tuple(model.config["input_shape"]))]
    eps = np.zeros((1, model.config["latent_dim"]), model.dtype)  # no draw: a blank pass
    model.forward(np.zeros((1, *rows[0][2]), model.dtype), eps=eps,
                  trace=lambda name, layer, out: rows.append((name, layer, out.shape[1:])))
    return rows


def describe(name, layer):
    """What a layer does, in a few words: 'conv 3x3 /2' and so on."""
    kind = type(layer).__name__
    if kind in ("Conv2D", "Conv2DTranspose"):
        g = layer.geometry
        verb = "conv" if kind == "Conv2D" else "transposed\nconv"
        return f"{verb} {g.kh}x{g.kw}" + (f" x{g.stride}" if kind != "Conv2D" and g.stride > 1
                                          else f" /{g.stride}" if g.stride > 1 else "")
    return {"Dense": "dense", "Flatten": "flatten", "Reshape": "reshape",
            "Sampling": "z = mu +\nsigma * eps"}.get(kind, kind)


def shape_text(shape):
    return "x".join(str(s) for s in shape)


def height_of(shape):
    """Box height: the fourth root of the count of numbers, so that 25,088 and 2 both fit
    on a page and still look very different."""
    return 0.27 * np.prod(shape) ** 0.25


def draw(path):
    rows = traced_layers(VAE(seed=0))
    heads = [r for r in rows if r[0] in ("encoder/z_mean", "encoder/z_log_var")]
    chain = [r for r in rows if r not in heads]
    x_of, step, x = {}, 1.55, 0.0
    figure, axes = diagram.canvas(15, 5.6, (-0.9, step * (len(chain) + 1) - 0.6), (-3.6, 4.0))
    for k, (name, layer, shape) in enumerate(chain):
        x_of[name] = x
        part = name.split("/")[0]
        colour = {"encoder": diagram.ENCODER, "decoder": diagram.DECODER,
                  "sampling": diagram.RANDOM}.get(part, diagram.DATA)
        h = height_of(shape)
        diagram.box(axes, (x, 0), 0.9, h, "", colour=colour, alpha=0.85)
        what = "image x" if layer is None else describe(name, layer)
        axes.text(x, h / 2 + 0.12, what, ha="center", va="bottom", fontsize=9)
        axes.text(x, -h / 2 - 0.12, shape_text(shape), ha="center", va="top", fontsize=9.5,
                  weight="bold")
        if k and name != "sampling":  # the heads stand between dense and sampling
            diagram.arrow(axes, (x - step + 0.47, 0), (x - 0.47, 0), width=1.2)
        x += 2 * step if name == "encoder/dense" else step
    x_of["encoder/heads"] = _draw_heads(axes, heads, x_of)
    _label_parts(axes, x_of)
    axes.text(x_of["decoder/conv_out"] + 0.45, -3.55, "box height: the fourth root of the "
              "count of numbers", ha="right", va="bottom", fontsize=8, color="#666666")
    return diagram.save(figure, path)


def _draw_heads(axes, heads, x_of):
    """mu and log_var: two dense heads side by side, between the encoder and sampling."""
    x = (x_of["encoder/dense"] + x_of["sampling"]) / 2
    for (name, _, shape), y, label in zip(heads, (0.75, -0.75), ("mu", "log_var")):
        diagram.box(axes, (x, y), 0.8, 0.6, f"{label}\n{shape_text(shape)}",
                    colour=diagram.ENCODER, size=9, text_colour="white", weight="bold")
        diagram.arrow(axes, (x_of["encoder/dense"] + 0.47, 0), (x - 0.42, y), width=1.2)
        diagram.arrow(axes, (x + 0.42, y), (x_of["sampling"] - 0.47, 0), width=1.2)
    axes.text(x, 1.25, "two dense\nheads", ha="center", va="bottom", fontsize=8.5)
    diagram.arrow(axes, (x + 0.2, -1.9), (x_of["sampling"], -0.45), colour=diagram.RANDOM)
    axes.text(x + 0.2, -2.0, "eps ~ N(0, I)\n(2 numbers)", ha="center", va="top", fontsize=9,
              color=diagram.RANDOM)
    return x


def _label_parts(axes, x_of):
    """Brackets over the encoder and the decoder, with what each one is."""
    encoder = [x for name, x in x_of.items() if name.startswith("encoder/")]
    decoder = [x for name, x in x_of.items() if name.startswith("decoder/")]
    for xs, text, colour in ((encoder + [x_of["input"]], "encoder  q(z|x)", diagram.ENCODER),
                             (decoder, "decoder  p(x|z)", diagram.DECODER)):
        left, right = min(xs) - 0.45, max(xs) + 0.45
        axes.plot([left, left, right, right], [3.05, 3.25, 3.25, 3.05], color=colour, lw=2)
        axes.text((left + right) / 2, 3.4, text, ha="center", va="bottom", fontsize=13,
                  color=colour, weight="bold")
    axes.text(x_of["sampling"], 3.4, "sampling", ha="center", va="bottom", fontsize=13,
              color=diagram.RANDOM, weight="bold")
    last = max(decoder)
    axes.text(last, -2.35, "logits: each pixel is\n'on' with probability\nsigmoid(logit)",
              ha="center", va="top", fontsize=8.5)
    axes.text(x_of["input"], -2.35, "grey pixels\nin [0, 1]", ha="center", va="top",
              fontsize=8.5)
