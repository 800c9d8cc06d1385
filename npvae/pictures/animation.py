"""Watching the latent space form: the manifold at snapshots of a run, joined into a GIF.

A VAE arranges its latent space early: most of the change happens within the first epoch.
So a run is filmed a few times within its first epoch (at ``SNAPSHOTS``: 1/8, 1/4 and 1/2
of it) and at the end of every epoch. Each snapshot decodes the manifold's grid (the
decoder alone, on the 15 x 15 codes of ``plots.manifold_image``) and keeps the tiled
picture as a small uint8 array. After each snapshot two files are rewritten, each
atomically (``npvae.storage.atomic``), so that a killed run keeps a whole GIF:

- ``manifold.gif``: one frame per snapshot, its title the epoch (a fraction within the
  first) and the latest loss: the test loss of the last epoch done or, before the first
  test, the training loss so far in the first epoch;
- ``manifold_frames.npz``: the snapshots' pictures, epochs and losses. The weights a
  frame was decoded from are gone once training moves on, so a resumed run could not
  draw the earlier frames again: it reads them from here.

A run killed after a snapshot but before its next checkpoint has frames newer than the
checkpoint it resumes from; those are dropped and taken again. Resuming is exact (the
same weights at the same step), so they come out the same.
"""
from pathlib import Path

import numpy as np
from PIL import Image

from npvae.pictures import plots, png, report
from npvae.pictures.inputs import as_images, check_dims, count
from npvae.storage.atomic import atomic_write

GIF_NAME = "manifold.gif"
FRAMES_NAME = "manifold_frames.npz"
SNAPSHOTS = (1 / 8, 1 / 4, 1 / 2)  # fractions of the first epoch, where most change happens
FRAME_MS, LAST_FRAME_MS = 700, 2500  # the last frame stays longer: the run's result
UNITS = plots.UNITS


class ManifoldFilm:
    """The manifold of ``model`` over latent ``dims`` at each snapshot of a run, kept as
    ``folder/manifold.gif`` and ``folder/manifold_frames.npz``.

    Give ``on_step`` and ``on_epoch_end`` to ``Trainer.fit``; they take the snapshots.
    """

    def __init__(self, model, folder, dims=(0, 1), n=15):
        self.model, self.folder = model, Path(folder)
        self.dims = check_dims(dims, model.config["latent_dim"])
        self.n = count("n", n)
        self.pictures = []   # uint8 (n*H, n*W) or (n*H, n*W, 3), one per snapshot
        self.epochs = []     # when each was taken, in epochs done (a fraction in the first)
        self.losses = []     # the latest loss then, in nats per image
        self.tested = []     # True: a test loss; False: the first epoch's training loss so far
        self._frames = []    # the GIF's frames drawn so far (PIL images), drawn once each

    @property
    def gif_path(self):
        return self.folder / GIF_NAME

    @property
    def frames_path(self):
        return self.folder / FRAMES_NAME

    # ------------------------------------------------------------------ snapshots

    def on_step(self, point):
        """After a step of the first epoch: a snapshot if ``point["epoch"]`` has reached a
        fraction of ``SNAPSHOTS`` not filmed yet (several at once: one frame)."""
        done = point["epoch"]
        last = self.epochs[-1] if self.epochs else 0.0
        if done < 1 and any(last < fraction <= done for fraction in SNAPSHOTS):
            self.snapshot(done, point["train_loss"], tested=False)

    def on_epoch_end(self, record):
        """After an epoch's test: a snapshot titled with its test loss."""
        self.snapshot(record["epoch"], record["test_loss"], tested=True)

    def snapshot(self, epoch, loss, tested):
        """Decode the manifold now, keep it as frame ``epoch``, rewrite both files; nothing
        if the decoder no longer gives finite pixels (a diverging run, which the Trainer
        stops at its next step: the film must not be what fails it)."""
        _, z = plots.latent_grid(self.model.config["latent_dim"], self.n, self.dims)
        decoded = report.decoder(self.model)(z)                    # (n*n, H, W, C)
        if not np.isfinite(decoded).all():
            return
        image = plots.tile_images(as_images("decode(z)", decoded), ncols=self.n, gap=0)
        self.pictures.append(np.round(image * 255).astype(np.uint8))
        self.epochs.append(float(epoch))
        self.losses.append(float(loss))
        self.tested.append(bool(tested))
        self.save()

    def title(self, k):
        """Frame k's title: when it was taken and the latest loss then."""
        loss = "test loss" if self.tested[k] else "training loss so far"
        return (f"epoch {round(self.epochs[k], 3):g}: {loss} {self.losses[k]:.1f} {UNITS}")

    # ------------------------------------------------------------------ files

    def save(self):
        """Rewrite manifold_frames.npz, then manifold.gif, each atomically."""
        with atomic_write(self.frames_path) as file:
            np.savez_compressed(file, pictures=np.stack(self.pictures),
                                epochs=np.array(self.epochs), losses=np.array(self.losses),
                                tested=np.array(self.tested), dims=np.array(self.dims),
                                n=np.array(self.n))
        self.write_gif()

    def write_gif(self):
        """manifold.gif: one frame per snapshot, each drawn once and kept."""
        for k in range(len(self._frames), len(self.pictures)):
            self._frames.append(self._draw_frame(k))
        durations = [FRAME_MS] * (len(self._frames) - 1) + [LAST_FRAME_MS]
        with atomic_write(self.gif_path) as file:
            self._frames[0].save(file, format="GIF", save_all=True,
                                 append_images=self._frames[1:], duration=durations, loop=0)
        return self.gif_path

    def _draw_frame(self, k):
        """Frame k as a paletted image (what a GIF holds): the manifold under its title."""
        picture = self.pictures[k]
        if picture.ndim == 2:
            picture = np.repeat(picture[..., None], 3, axis=2)  # gray drawn as gray
        figure, axes = png.new_figure(6, 6.5)
        axes.imshow(picture)
        axes.set_xticks([])
        axes.set_yticks([])
        axes.set_xlabel(f"z[{self.dims[0]}]  (grows to the right)")
        axes.set_ylabel(f"z[{self.dims[1]}]  (grows downwards)")
        axes.set_title(f"The decoder's map of the latent space\n{self.title(k)}")
        figure.canvas.draw()
        rgb = Image.fromarray(np.asarray(figure.canvas.buffer_rgba())[..., :3])
        return rgb.convert("P", palette=Image.Palette.ADAPTIVE)

    @classmethod
    def resume(cls, model, folder, position, history, dims=None, say=print):
        """The film of a run resumed at ``position`` (epochs done, a fraction mid-epoch):
        the frames saved in ``folder`` up to then (``dims`` as they were filmed), and the
        frame of the epoch just ended if the run was killed before it was filmed."""
        folder = Path(folder)
        try:
            film = cls._load(model, folder)
        except FileNotFoundError:
            film = None
        except (OSError, ValueError, KeyError) as error:
            say(f"cannot read {folder / FRAMES_NAME} ({type(error).__name__}: {error}); "
                f"{GIF_NAME} starts again from here")
            film = None
        if film is None:
            film = cls(model, folder, dims if dims is not None else (0, 1))
            if position > 0:
                say(f"no earlier frames ({folder / FRAMES_NAME} is missing): {GIF_NAME} "
                    f"starts at epoch {round(position, 3):g}")
        elif dims is not None and tuple(dims) != film.dims:
            say(f"the dims asked for, {dims[0]} {dims[1]}, are ignored: {GIF_NAME} goes on "
                f"filming dims {film.dims[0]} {film.dims[1]}, as it began")
        film._keep_until(position)
        if position >= 1 and position == int(position) and (
                not film.epochs or film.epochs[-1] < position):
            film.on_epoch_end(history[-1])
        return film

    @classmethod
    def _load(cls, model, folder):
        with np.load(folder / FRAMES_NAME, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in
                      ("pictures", "epochs", "losses", "tested", "dims", "n")}
        film = cls(model, folder, tuple(int(d) for d in arrays["dims"]), int(arrays["n"]))
        film.pictures = list(arrays["pictures"])
        film.epochs = [float(e) for e in arrays["epochs"]]
        film.losses = [float(v) for v in arrays["losses"]]
        film.tested = [bool(t) for t in arrays["tested"]]
        if not len(film.pictures) == len(film.epochs) == len(film.losses) == len(film.tested):
            raise ValueError(f"{len(film.pictures)} pictures but {len(film.epochs)} epochs")
        return film

    def _keep_until(self, position):
        """Drop the frames filmed after ``position`` (they will be filmed again)."""
        kept = sum(epoch <= position for epoch in self.epochs)
        for frames in (self.pictures, self.epochs, self.losses, self.tested):
            del frames[kept:]
