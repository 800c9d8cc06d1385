"""The reparameterization trick: the random draw moved aside, so gradients reach mu and
log_var.

Left, z drawn directly from N(mu, sigma^2): the draw is a random node in the middle of
the model, and a gradient cannot pass through a coin toss. Right, the same draw written
``z = mu + sigma * eps`` with ``eps ~ N(0, I)`` a separate input: z is now an ordinary
function of mu and log_var, the backward pass (red) reaches both with the formulas of
``npvae/layers/sampling.py``, and eps needs no gradient, being an input like the pixels.
"""
import diagram
from matplotlib.patches import Circle

FORWARD, BACKWARD = diagram.INK, diagram.GRADIENT


def draw(path):
    figure, axes = diagram.canvas(12.5, 5.2, (-0.2, 14.5), (-2.9, 4.1))
    before(axes, left=0.0)
    after(axes, left=7.6)
    axes.plot([7.05, 7.05], [-2.6, 3.9], color="#bbbbbb", lw=1)
    axes.text(7.3, -2.75, "black: forward pass        red, dashed: gradients of the loss "
              "(backward pass)", ha="center", va="center", fontsize=10)
    return diagram.save(figure, path)


def encoder_heads(axes, left):
    """mu and log_var, the encoder's two outputs; returns their centres."""
    mu, log_var = (left + 0.8, 2.4), (left + 0.8, 0.4)
    for centre, text in ((mu, "mu"), (log_var, "log_var")):
        diagram.box(axes, centre, 1.3, 0.7, text, colour=diagram.ENCODER, size=12,
                    text_colour="white", weight="bold")
    return mu, log_var


def before(axes, left):
    axes.text(left + 3.2, 3.75, "A random node: z ~ N(mu, sigma²)", ha="center", fontsize=13,
              weight="bold")
    mu, log_var = encoder_heads(axes, left)
    z, loss = (left + 3.5, 1.4), (left + 5.85, 1.4)
    axes.add_patch(Circle(z, 0.72, facecolor=diagram.RANDOM, edgecolor=diagram.INK, lw=1.5))
    axes.text(*z, "z\ndrawn at\nrandom", ha="center", va="center", fontsize=11, weight="bold")
    diagram.box(axes, loss, 1.0, 0.7, "loss", size=12)
    for start in (mu, log_var):
        diagram.arrow(axes, (start[0] + 0.68, start[1]), (z[0] - 0.7, z[1] + (start[1] - z[1]) / 4))
    diagram.arrow(axes, (z[0] + 0.74, z[1]), (loss[0] - 0.52, loss[1]))
    diagram.arrow(axes, (loss[0] - 0.3, loss[1] + 0.38), (z[0] + 0.45, z[1] + 0.62),
                  colour=BACKWARD, dashed=True, bend=0.45)
    diagram.arrow(axes, (z[0] - 0.55, z[1] + 0.55), (mu[0] + 0.66, mu[1] + 0.3),
                  colour=BACKWARD, dashed=True, bend=0.35, style="-")
    axes.text(left + 2.2, 2.85, "✕", ha="center", va="center", fontsize=26, color=BACKWARD,
              weight="bold")
    axes.text(z[0], -0.45, "no gradient through a random draw:\nhow would dz/dmu be "
              "defined for a coin toss?", ha="center", va="top", fontsize=10, color=BACKWARD)


def after(axes, left):
    axes.text(left + 3.2, 3.75, "Reparameterized: z = mu + sigma * eps", ha="center",
              fontsize=13, weight="bold")
    mu, log_var = encoder_heads(axes, left)
    z, loss, eps = (left + 3.6, 1.4), (left + 6.1, 1.4), (left + 3.6, -1.3)
    diagram.box(axes, z, 2.3, 0.9, "z = mu + sigma * eps\nsigma = exp(0.5 log_var)", size=9.5,
                colour="white")
    axes.add_patch(Circle(eps, 0.6, facecolor=diagram.RANDOM, edgecolor=diagram.INK, lw=1.5))
    axes.text(*eps, "eps", ha="center", va="center", fontsize=12, weight="bold")
    axes.text(eps[0] + 0.75, eps[1], "~ N(0, I): a separate input,\nlike the pixels; it needs "
              "\nno gradient", ha="left", va="center", fontsize=9.5, color="#444444")
    diagram.box(axes, loss, 1.0, 0.7, "loss", size=12)
    for start in (mu, log_var):
        diagram.arrow(axes, (start[0] + 0.68, start[1]),
                      (z[0] - 1.17, z[1] + (start[1] - z[1]) / 4))
    diagram.arrow(axes, (eps[0], eps[1] + 0.62), (z[0], z[1] - 0.47), colour=diagram.RANDOM)
    diagram.arrow(axes, (z[0] + 1.17, z[1]), (loss[0] - 0.52, loss[1]))
    diagram.arrow(axes, (loss[0] - 0.3, loss[1] + 0.38), (z[0] + 0.6, z[1] + 0.5),
                  colour=BACKWARD, dashed=True, bend=0.45, text="dL/dz",
                  text_offset=(0.15, 0.55), size=10)
    diagram.arrow(axes, (z[0] - 0.6, z[1] + 0.5), (mu[0] + 0.3, mu[1] + 0.4),
                  colour=BACKWARD, dashed=True, bend=0.3)
    axes.text(mu[0] + 0.1, mu[1] + 0.95, "dL/dmu = dL/dz", ha="left", fontsize=10,
              color=BACKWARD)
    diagram.arrow(axes, (z[0] - 0.7, z[1] - 0.47), (log_var[0] + 0.3, log_var[1] - 0.38),
                  colour=BACKWARD, dashed=True, bend=-0.3)
    axes.text(log_var[0] - 0.6, log_var[1] - 1.0, "dL/dlog_var =\ndL/dz * eps * sigma / 2",
              ha="left", va="top", fontsize=10, color=BACKWARD)
