"""How the explorer's window looks: where each panel sits and what it draws.

``npvae.explorer.state`` holds the state (the point under the mouse, the pins) and answers the
events; this module only draws: ``ExplorerView`` owns the figure and every artist on it,
and the functions below it draw the panels. The window has four parts::

    +--------------------------+-------------------+
    |  the latent plane        |  decoder(z) at    |
    |  (codes of test images,  |  the mouse        |
    |   the prior's window)    |                   |
    +--------------------------+-------------------+
    |  the strip: pinned images, or an interpolation |
    +------------------------------------------------+
    |  one slider per latent dimension not in the plane |
    +------------------------------------------------+

What changes as the mouse moves (the image, the cursor, the image's title) is drawn over a
background saved at the last full draw ("blitting"): redrawing the whole figure, scatter
and all, for each move would lag behind the mouse.

Positions are fixed in inches, not left to a layout engine: the mouse turns pixels into codes
through the plane's axes, and a picture saved with ``--at`` must be the window, pixel for pixel.
"""
import contextlib

import numpy as np
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.widgets import Slider

from npvae.pictures import style
from npvae.storage.atomic import atomic_write

SLIDER_RANGE = 3.0           # sliders span the prior's +-3 standard deviations

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
EMPTY_STRIP = "click the plane to pin a point; its image appears here"


class ExplorerView:
    """The explorer's figure and every artist on it.

    Args:
        figure: the Figure to draw on (a window's); None for a new one without a window.
        codes: (N, latent_dim) mean codes drawn in the plane, or None; ``labels`` colour them.
        dims: the latent dimensions the plane spans (one or two).
        slider_dims: the other dimensions, one slider each.
        image: (H, W, C) in [0, 1], the first image shown.
    """

    def __init__(self, figure, codes, labels, dims, slider_dims, image):
        self.figure = figure if figure is not None else Figure()
        if type(self.figure.canvas) is FigureCanvasBase:  # a bare Figure: draw with Agg
            FigureCanvasAgg(self.figure)
        self.dims = dims
        self.plane, self.image_axes, self.strip, slider_axes = lay_out(self.figure,
                                                                       len(slider_dims))
        draw_plane(self.plane, codes, labels, dims)
        draw_strip(self.strip, None, EMPTY_STRIP)
        self.sliders = {d: Slider(axes, f"z[{d}]", -SLIDER_RANGE, SLIDER_RANGE, valinit=0.0)
                        for d, axes in zip(slider_dims, slider_axes)}
        self.image = show_image(self.image_axes, image)
        self.cursor = (self.plane.plot([0], [0], "+", color="k", ms=16, mew=2)[0]
                       if len(dims) == 2 else self.plane.axvline(0, color="k", lw=1.5))
        self.pin_marks, = self.plane.plot([], [], "o", mfc="none", mec="k", ms=9, mew=1.5)
        self.line, = self.plane.plot([], [], "k-", lw=1)
        self.pin_labels = []
        self.help = self.figure.text(0.5, 0.5, KEYS, ha="center", va="center",
                                     family="monospace", multialignment="left", visible=False,
                                     bbox=dict(facecolor="white", edgecolor="k"))
        self.status = self.figure.text(0.01, 0.005, "", fontsize="small")
        self.moving = [self.image, self.cursor, self.image_axes.title]  # blitted (above)
        for artist in self.moving:
            artist.set_animated(True)
        self._background = None
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)

    def show_point(self, image, xy, title):
        """Show ``image`` (H, W, C), the cursor at plane coordinates ``xy``, and ``title``."""
        self.image.set_data(displayable(image))
        if len(self.dims) == 2:
            self.cursor.set_data([xy[0]], [xy[1]])
        else:  # one dimension: the mouse's height means nothing, so a vertical line
            self.cursor.set_xdata([xy[0], xy[0]])
        self.image_axes.set_title(title, fontsize="medium")
        self._blit()

    def show_pins(self, pins_xy, line_xy, strip_images, strip_title):
        """Mark the pins at ``pins_xy`` (n, 2), numbered; draw the segment ``line_xy``
        (2 or 0 points, 2); show ``strip_images`` (or None) under ``strip_title``."""
        self.pin_marks.set_data(pins_xy[:, 0], pins_xy[:, 1])
        for label in self.pin_labels:
            label.remove()
        self.pin_labels = [self.plane.annotate(str(k + 1), (px, py), xytext=(5, 5),
                                               textcoords="offset points", fontsize="small")
                           for k, (px, py) in enumerate(pins_xy)]
        self.line.set_data(line_xy[:, 0], line_xy[:, 1])
        draw_strip(self.strip, strip_images, strip_title)
        self.figure.canvas.draw_idle()

    def say(self, text):
        """Show one line of text at the bottom left."""
        self.status.set_text(text)
        self.figure.canvas.draw_idle()

    def toggle_help(self):
        self.help.set_visible(not self.help.get_visible())
        self.figure.canvas.draw_idle()

    def write_png(self, path):
        """Save the figure as it looks, as a PNG, atomically."""
        with self._all_still(), atomic_write(path) as file:
            self.figure.savefig(file, format="png")

    def pixels(self):
        """What the figure shows now: an (height, width, 4) uint8 RGBA array."""
        with self._all_still():
            self.figure.canvas.draw()
            pixels = np.asarray(self.figure.canvas.buffer_rgba()).copy()
        self.figure.canvas.draw()  # back to a background without the moving parts
        return pixels

    def _blit(self):
        """Draw the moving parts over the background saved at the last full draw."""
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw_idle()  # no full draw yet: it will draw the moving parts too
            return
        canvas.restore_region(self._background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        canvas.blit(self.figure.bbox)

    def _on_draw(self, event):
        """After a full draw (which leaves the animated moving parts out): keep it as the
        background, then put the moving parts on it."""
        if self.moving[0].get_animated():
            self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
            for artist in self.moving:
                self.figure.draw_artist(artist)

    @contextlib.contextmanager
    def _all_still(self):
        """Draw every artist in a normal draw, as a saved picture needs (animated ones are
        left out of it)."""
        for artist in self.moving:
            artist.set_animated(False)
        try:
            yield
        finally:
            for artist in self.moving:
                artist.set_animated(True)


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
    if codes is not None:
        y = codes[:, dims[1]] if len(dims) == 2 else (labels if labels is not None
                                                       else np.zeros(len(codes)))
        if labels is None:
            axes.scatter(codes[:, dims[0]], y, s=4, alpha=0.5, c="tab:blue")
        else:  # one colour per label shown, as in the scatter picture
            style.scatter_by_label(axes, codes[:, dims[0]], y, labels,
                                   range(labels.max(initial=0) + 1), "label", pad=0.02, s=4,
                                   alpha=0.5)
    if len(dims) == 2:
        style.draw_prior_window(axes, "prior's 5-95 % window")
        axes.invert_yaxis()  # downwards, like npvae's scatter and manifold pictures
        axes.set_ylabel(f"z[{dims[1]}]  (grows downwards)")
        span = plane_span(codes, dims)
        axes.set_xlim(-span, span)
        axes.set_ylim(span, -span)
    else:
        for x in style.normal_quantiles(style.PRIOR_WINDOW):
            axes.axvline(x, color="k", ls="--", lw=1)
        axes.lines[0].set_label("prior's 5-95 % window")
        axes.set_ylabel("label (only spreads the codes)" if labels is not None else "")
        span = plane_span(codes, dims)
        axes.set_xlim(-span, span)
    axes.set_xlabel(f"z[{dims[0]}]")
    axes.legend(loc="upper right", fontsize="small")
    what = "the codes of the test images" if codes is not None else "the prior"
    axes.set_title(f"Latent space: {what}\nmove the mouse to decode, click to pin, ? for keys",
                   fontsize="medium")


def plane_span(codes, dims):
    """How far the plane reaches from 0 along each axis: the sliders' range, or as far as
    the farthest code."""
    return max(SLIDER_RANGE, np.abs(codes[:, list(dims)]).max() if codes is not None else 0)


def show_image(axes, image):
    """Draw one image (H, W, C) in [0, 1] into empty axes; return the AxesImage."""
    axes.set_xticks([])
    axes.set_yticks([])
    return axes.imshow(displayable(image), cmap=style.GREYS, vmin=0, vmax=1,
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


def draw_strip(axes, images, title):
    """Show images (n, H, W, C) in one row under ``title``; no images: just the title."""
    axes.clear()
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_title(title, fontsize="medium")
    if images is not None and len(images):
        axes.imshow(style.tile_images(displayable(images), ncols=len(images)),
                    cmap=style.GREYS, vmin=0, vmax=1, interpolation="nearest")
    else:
        axes.set_frame_on(False)
