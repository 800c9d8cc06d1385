"""The VAE as a graphical model: how an image is made, and how the encoder guesses back.

Two nodes: the code z (hidden: two numbers nobody observes) and the image x (observed,
shaded). The generative story runs down: z is drawn from the prior p(z) = N(0, I), then
x from the decoder p(x|z). The encoder q(z|x) runs up, dashed: it is no part of the story,
only the model's guess of which z made a given x. The plate says the story repeats for
each of the N images, with the same prior, decoder and encoder.
"""
import diagram
from matplotlib.patches import Circle, FancyBboxPatch


def draw(path):
    figure, axes = diagram.canvas(8, 5.2, (-4.2, 4.6), (-3.3, 2.6))
    z, x = (0.0, 1.3), (0.0, -1.6)
    node(axes, z, "z", "white", "the code: 2 numbers,\nnever observed")
    node(axes, x, "x", "#c8c8c8", "the image: 28x28 pixels,\nobserved")
    # The prior: where every code comes from, before any image is seen.
    axes.text(-3.15, 1.3, "prior\np(z) = N(0, I)", ha="center", va="center", fontsize=11,
              color=diagram.RANDOM, weight="bold")
    diagram.arrow(axes, (-2.2, 1.3), (-0.62, 1.3), colour=diagram.RANDOM, width=2)
    diagram.arrow(axes, (0.15, 0.68), (0.15, -0.98), colour=diagram.DECODER, width=2.5,
                  text="decoder  p(x|z)\ngenerates x from z", text_offset=(1.45, 0), size=11)
    diagram.arrow(axes, (-0.25, -0.98), (-0.25, 0.68), colour=diagram.ENCODER, width=2,
                  dashed=True, bend=-0.6, text="encoder  q(z|x)\nguesses z from x",
                  text_offset=(-1.3, -0.1), size=11)
    # The plate holds what is drawn anew for every image; the prior is shared, outside it.
    axes.add_patch(FancyBboxPatch((-2.0, -2.7), 6.0, 5.0, boxstyle="round,pad=0,rounding_size=0.2",
                                  fill=False, edgecolor="#777777", lw=1.2))
    axes.text(3.85, -2.55, "for each of the N images", ha="right", va="bottom", fontsize=9.5,
              color="#555555")
    axes.text(0.05, -3.05, "solid: how the model makes an image   dashed: how it reads one back",
              ha="center", va="center", fontsize=9.5, color="#555555")
    return diagram.save(figure, path)


def node(axes, centre, name, fill, note):
    """A circle for a random variable, its name inside and a note at its right."""
    axes.add_patch(Circle(centre, 0.6, facecolor=fill, edgecolor=diagram.INK, lw=2))
    axes.text(*centre, name, ha="center", va="center", fontsize=20, style="italic")
    axes.text(centre[0] + 0.85, centre[1] + 0.35, note, ha="left", va="center", fontsize=9.5,
              color="#444444")
