"""Move a point through the latent space and watch the decoder draw what lives there.

The fixed pictures (``npvae.pictures.plots``) show the latent space from afar; here the reader holds
the point. Left, the latent plane: the encoder's mean code of each test image, coloured by
its label, and the prior's 5-95 % window. Right, ``decoder(z)`` for the point under the
mouse. A click pins the point (its image joins the strip below); ``i`` decodes the straight
line between the last two pins. A latent of more than two dimensions shows two of them
(``dims``); a slider holds each of the others, so the plane is a slice through z.

``Explorer`` holds the state (the point, the pins, the label a conditional model draws:
``npvae.explorer.labels``) and answers the canvas's events; its ``view``
(``npvae.explorer.view.ExplorerView``) draws. Neither touches pyplot, so the same
object drives a window (``npvae.explorer.window``), renders a PNG without one
(``render_at``) and runs in tests, which send it synthetic events.

Moving the mouse sends many events. Each one only records where the mouse is; a redraw,
scheduled once, decodes the newest point. Moves that arrive while a redraw is pending are
thus merged into it, not queued behind it, and the image never lags behind the mouse.
"""
from pathlib import Path

import numpy as np

from npvae.datasets.labels import check_labels
from npvae.explorer.labels import LabelChoice
from npvae.explorer.view import EMPTY_STRIP, ExplorerView
from npvae.pictures.inputs import check_dims
from npvae.pictures.png import png_path
from npvae.pictures.report import encode_means

MAX_PINS = 10           # the strip stays readable
INTERPOLATION_STEPS = 10


class Explorer:
    """The interactive view of ``model``'s latent space.

    Args:
        model: a VAE, or a ConditionalVAE (which draws ``label``; the keys 0-9 choose it).
        x, labels: images (N, H, W, C) whose mean codes are drawn in the plane, and their
            (N,) integer labels, which colour them; or None.
        dims: the latent dimensions spanning the plane: two, or one if the latent has one.
        save_folder: where ``s`` saves the window.
        figure: the Figure to draw on (a window's); None for a new one without a window.
        codes: the mean codes of x, if known (the shipped models ship them), instead of x.
    """

    def __init__(self, model, x=None, labels=None, dims=(0, 1), save_folder=".", figure=None,
                 label=None, codes=None):
        self.model, self.latent_dim = model, model.config["latent_dim"]
        self.dims = _check_dims(dims, self.latent_dim)
        self.save_folder, self.choice = save_folder, LabelChoice(model, label)
        if codes is None and x is not None:
            codes = encode_means(model, x, labels)
        labels = None if labels is None else check_labels(labels, len(codes))
        self.z = np.zeros(self.latent_dim, dtype=np.float32)  # the point being decoded
        others = [d for d in range(self.latent_dim) if d not in self.dims]
        self.view = ExplorerView(figure, codes, labels, self.dims, others,
                                 self.decode(self.z[None])[0])
        self.view.say(self.choice.note())
        self.figure, self.sliders = self.view.figure, self.view.sliders
        for slider in self.sliders.values():
            slider.on_changed(lambda _: self._redraw_image())
        self.pins, self.interpolated = [], None
        self._pending, self._scheduled = None, False
        self._timer = self.figure.canvas.new_timer(interval=0)
        self._timer.single_shot = True
        self._timer.add_callback(self.flush)
        self._redraw_image()
        canvas = self.figure.canvas
        canvas.mpl_connect("motion_notify_event", self._on_motion)
        canvas.mpl_connect("button_press_event", self._on_click)
        canvas.mpl_connect("key_press_event", self._on_key)

    # ------------------------------------------------------------------ points and images

    def decode(self, z):
        """Images (n, H, W, C) in [0, 1] of codes z (n, latent_dim), with the label drawn."""
        return self.model.generate(np.asarray(z, dtype=np.float32), self.choice.labels(len(z)))

    def point_at(self, x, y):
        """The full code at plane coordinates (x, y): the plane's dims, the sliders' values."""
        z = np.array([self.sliders[d].val if d in self.sliders else 0.0
                      for d in range(self.latent_dim)], dtype=np.float32)
        z[self.dims[0]] = x
        if len(self.dims) == 2:
            z[self.dims[1]] = y
        return z

    def move_to(self, z):
        """Decode the code z (latent_dim,): set the sliders to its other dimensions, move the
        cursor there and redraw."""
        z = _check_code(z, self.latent_dim)
        for d, slider in self.sliders.items():
            slider.eventson = False  # one redraw below, not one per slider
            slider.set_val(float(z[d]))
            slider.eventson = True
        self.z = z
        self._redraw_image()

    def flush(self):
        """Decode the newest point the mouse reached, if it has not been decoded yet."""
        self._scheduled = False
        if self._pending is not None:
            self.z, self._pending = self._pending, None
            self._redraw_image()

    def _redraw_image(self):
        self.z = self.point_at(*_plane_xy(self.dims, self.z))  # the sliders may have moved
        shown = ", ".join(f"z[{d}]={self.z[d]:.2f}" for d in self.dims)
        self.view.show_point(self.decode(self.z[None])[0], _plane_xy(self.dims, self.z),
                             f"decoder(z) at {shown}")

    # ------------------------------------------------------------------ pins

    def pin(self, z):
        """Add the code z to the pins (the oldest goes beyond MAX_PINS) and show them."""
        self.pins = (self.pins + [_check_code(z, self.latent_dim)])[-MAX_PINS:]
        self.interpolated = None
        self._draw_pins()

    def clear_pins(self):
        self.pins, self.interpolated = [], None
        self._draw_pins()

    def interpolate(self, steps=INTERPOLATION_STEPS):
        """Decode ``steps`` codes on the straight line from the second-last pin to the last."""
        if len(self.pins) < 2:
            self.view.say("pin two points first (click the plane twice), then press i")
            return
        t = np.linspace(0, 1, steps, dtype=np.float32)[:, None]    # (steps, 1)
        self.interpolated = (1 - t) * self.pins[-2] + t * self.pins[-1]  # (steps, D)
        self._draw_pins()

    def _draw_pins(self):
        """Show the pins, the interpolated segment and the strip: the interpolation's
        images, else the pins', else a hint."""
        pins_xy = np.array([_plane_xy(self.dims, z) for z in self.pins]).reshape(-1, 2)
        line_xy = (np.array([_plane_xy(self.dims, z) for z in self.interpolated[[0, -1]]])
                   if self.interpolated is not None else np.empty((0, 2)))
        n = len(self.pins)
        if self.interpolated is not None:
            images = self.decode(self.interpolated)
            title = f"interpolation: pin {n - 1} -> pin {n}, {len(images)} steps"
        elif n:
            images = self.decode(np.stack(self.pins))
            title = "pinned points " + " ".join(str(k + 1) for k in range(n))
        else:
            images, title = None, EMPTY_STRIP
        self.view.show_pins(pins_xy, line_xy, images, title)

    # ------------------------------------------------------------------ saving

    def save(self, path=None):
        """Save the figure as a PNG (atomically) at ``path``, by default the first free
        ``explore-N.png`` in save_folder, so an earlier save is never overwritten."""
        path = png_path(_first_free(Path(self.save_folder)) if path is None else path)
        self.view.write_png(path)
        return path

    # ------------------------------------------------------------------ events

    def _on_motion(self, event):
        if event.inaxes is not self.view.plane or event.xdata is None:
            return
        self._pending = self.point_at(event.xdata, event.ydata)
        if not self._scheduled:  # one redraw pending at most: later moves update its point
            self._scheduled = True
            self._timer.start()

    def _on_click(self, event):
        if event.inaxes is self.view.plane and event.button == 1 and event.xdata is not None:
            self.pin(self.point_at(event.xdata, event.ydata))

    def _on_key(self, event):
        if self.choice.press(event.key):  # a digit: draw the point and the pins as that label
            self._draw_pins()
            self._redraw_image()
            self.view.say(self.choice.note())
        elif event.key == "i":
            self.interpolate()
        elif event.key == "c":
            self.clear_pins()
        elif event.key == "s":
            self.view.say(f"saved {self.save()}")
        elif event.key == "?":
            self.view.toggle_help()


def render_at(model, z, out, x=None, labels=None, dims=(0, 1), label=None, codes=None):
    """Draw the explorer's view at the code z (latent_dim,) without a window (a conditional
    model's with ``label``); save it at ``out`` (a PNG, written atomically), return ``out``."""
    explorer = Explorer(model, x, labels, dims, label=label, codes=codes)
    explorer.move_to(z)
    return explorer.save(out)


def _first_free(folder):
    """``folder/explore-N.png`` for the first N not taken."""
    return next(folder / f"explore-{k}.png" for k in range(1, 10**6)
                if not (folder / f"explore-{k}.png").exists())


def _check_dims(dims, latent_dim):
    """The plane's dims: (0,) for a latent of one dimension, else two different ones."""
    dims = tuple(int(d) for d in dims)
    if latent_dim > 1:
        return check_dims(dims, latent_dim)
    if dims not in ((0,), (0, 1)):
        raise ValueError(f"a latent of one dimension has only z[0]; got dims {dims}")
    return (0,)


def _plane_xy(dims, z):
    """Where the code z lies in the plane: (z[dims[0]], z[dims[1]]), y 0 for one dim."""
    return (z[dims[0]], z[dims[1]] if len(dims) == 2 else 0.0)


def _check_code(z, latent_dim):
    z = np.asarray(z, dtype=np.float32)
    if z.shape != (latent_dim,) or not np.all(np.isfinite(z)):
        raise ValueError(f"a code must be {latent_dim} finite numbers (the latent size); "
                         f"got shape {z.shape}")
    return z
