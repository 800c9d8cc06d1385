"""How the explorer's window looks: where each panel sits and what it draws.

``npvae.explorer`` holds the state (the point under the mouse, the pins) and answers the
events; this module only draws. The window has four parts::

    +--------------------------+-------------------+
    |  the latent plane        |  decoder(z) at    |
    |  (codes of test images,  |  the mouse        |
    |   the prior's window)    |                   |
    +--------------------------+-------------------+
    |  the strip: pinned images, or an interpolation |
    +------------------------------------------------+
    |  one slider per latent dimension not in the plane |
    +------------------------------------------------+

Positions are fixed in inches, not left to a layout engine: the mouse turns pixels into codes
through the plane's axes, and a picture saved with ``--at`` must be the window, pixel for pixel.
"""
import matplotlib
import numpy as np
from matplotlib.colors import BoundaryNorm

from npvae.plots import normal_quantiles

PRIOR_WINDOW = (0.05, 0.95)  # probabilities: the same window plot_manifold decodes
SLIDER_RANGE = 3.0           # sliders span the prior's +-3 standard deviations
_GREYS = matplotlib.colormaps["Greys_r"]  # 0 black, 1 white, like MNIST
_GAP = 2                     # white pixels between images in the strip

_WIDTH, _TOP, _STRIP, _SLIDER, _MARGIN = 11.0, 5.2, 1.6, 0.3, 0.25  # inches

KEYS = """keys
  move        decode the point under the mouse
  click       pin the point (its image joins the strip)
  i           interpolate between the last two pins
  c           clear the pins
  0-9         a conditional model: the label to draw
  s           save the window as a PNG beside the checkpoint
  ?           show or hide this list
  q           close the window"""


def lay_out(figure, n_sliders):
    """Size ``figure`` and add its axes; return (plane, image, strip, [slider axes])."""
    height = _MARGIN + _TOP + _STRIP + n_sliders * _SLIDER + _MARGIN
    figure.set_size_inches(_WIDTH, height)

    def box(left, bottom, width, tall):  # inches from the bottom left -> figure fractions
        return [left / _WIDTH, bottom / height, width / _WIDTH, tall / height]

    top = height - _MARGIN - _TOP
    plane = figure.add_axes(box(0.9, top + 0.5, 5.0, _TOP - 1.0))
    image = figure.add_axes(box(6.7, top + 0.5, 4.0, _TOP - 1.0))
    strip = figure.add_axes(box(0.5, top - _STRIP + 0.1, _WIDTH - 1.0, _STRIP - 0.5))
    sliders = [figure.add_axes(box(1.5, top - _STRIP - (k + 1) * _SLIDER + 0.05, 7.0,
                                   _SLIDER - 0.1)) for k in range(n_sliders)]
    return plane, image, strip, sliders


def draw_plane(axes, codes, labels, dims):
    """The encoder's mean codes over the plane's dims, coloured by label, and the prior window.

    One dimension (latent_dim 1) has no plane: x is z[0] and y only spreads the codes by
    label (or not at all without labels); the mouse's height is ignored.
    """
    edge = normal_quantiles(PRIOR_WINDOW)
    if codes is not None:
        y = codes[:, dims[1]] if len(dims) == 2 else (labels if labels is not None
                                                       else np.zeros(len(codes)))
        colour = dict(c=labels, cmap="tab10", norm=BoundaryNorm(np.arange(-0.5, 10), 10)) \
            if labels is not None else dict(c="tab:blue")
        points = axes.scatter(codes[:, dims[0]], y, s=4, alpha=0.5, **colour)
        if labels is not None:
            colorbar = axes.figure.colorbar(points, ax=axes, ticks=range(10), pad=0.02)
            colorbar.set_label("label")
            colorbar.solids.set_alpha(1)
    if len(dims) == 2:
        axes.plot(edge[[0, 1, 1, 0, 0]], edge[[0, 0, 1, 1, 0]], "k--", lw=1,
                  label="prior's 5-95 % window")
        axes.invert_yaxis()  # downwards, like npvae's scatter and manifold pictures
        axes.set_ylabel(f"z[{dims[1]}]  (grows downwards)")
        span = max(SLIDER_RANGE, *(np.abs(codes[:, dims]).max(axis=0) if codes is not None
                                   else [0]))
        axes.set_xlim(-span, span)
        axes.set_ylim(span, -span)
    else:
        for x in edge:
            axes.axvline(x, color="k", ls="--", lw=1)
        axes.lines[0].set_label("prior's 5-95 % window")
        axes.set_ylabel("label (only spreads the codes)" if labels is not None else "")
        span = max(SLIDER_RANGE, np.abs(codes[:, 0]).max() if codes is not None else 0)
        axes.set_xlim(-span, span)
    axes.set_xlabel(f"z[{dims[0]}]")
    axes.legend(loc="upper right", fontsize="small")
    what = "the codes of the test images" if codes is not None else "the prior"
    axes.set_title(f"Latent space: {what}\nmove the mouse to decode, click to pin, ? for keys",
                   fontsize="medium")


def show_image(axes, image):
    """Draw one image (H, W, C) in [0, 1] into empty axes; return the AxesImage."""
    axes.set_xticks([])
    axes.set_yticks([])
    return axes.imshow(displayable(image), cmap=_GREYS, vmin=0, vmax=1,
                       interpolation="nearest")


def displayable(images):
    """What imshow draws for images (..., H, W, C): grey (..., H, W) or colour (..., H, W, 3)."""
    images = np.asarray(images)
    if images.shape[-1] == 1:
        return images[..., 0]
    if images.shape[-1] == 3:
        return np.clip(images, 0, 1)  # imshow refuses colour values outside [0, 1]
    raise ValueError(f"can show images with 1 (grey) or 3 (colour) channels, "
                     f"got shape {images.shape}")


def tile_row(images):
    """Put images (n, H, W, C) side by side, ``_GAP`` white pixels apart: (H, n*W + ..., C)."""
    n, h, w, c = images.shape
    row = np.ones((h, n * (w + _GAP) - _GAP, c), dtype=np.float32)
    for k, image in enumerate(images):
        row[:, k * (w + _GAP):k * (w + _GAP) + w] = image
    return row


def draw_strip(axes, images, title):
    """Show images (n, H, W, C) in one row under ``title``; no images: just the title."""
    axes.clear()
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_title(title, fontsize="medium")
    if images is not None and len(images):
        axes.imshow(displayable(tile_row(images)), cmap=_GREYS, vmin=0, vmax=1,
                    interpolation="nearest")
    else:
        axes.set_frame_on(False)
