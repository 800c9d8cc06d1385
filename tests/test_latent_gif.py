"""manifold.gif: one frame per snapshot (1/8, 1/4, 1/2 of the first epoch, then each epoch's
end), titled with the epoch and the latest loss, written atomically, and kept whole by a
resumed run.

The runs are tiny: a narrow VAE on 8x8 gray pictures of discs and squares, 128 training
images in batches of 16, so an epoch is 8 steps and the snapshots land on steps 1, 2, 4.
"""
import shutil

import numpy as np
import pytest
from picture_folders import shape_picture, write_shapes
from PIL import Image, ImageSequence

from npvae import cli
from npvae.models import VAE
from npvae.pictures import animation, plots, png
from npvae.pictures.animation import FRAME_MS, LAST_FRAME_MS, ManifoldFilm
from npvae.training.trainer import TrainConfig, Trainer

TINY_MODEL = dict(input_shape=(8, 8, 1), encoder_filters=(4, 8, 8, 8), dense_units=8,
                  decoder_filters=4)
EXPECTED_EPOCHS = [0.125, 0.25, 0.5, 1.0, 2.0]  # 8 steps per epoch, 2 epochs


class Interrupted(Exception):
    """Raised inside a run to stop it, as a crash or a Ctrl-C would."""


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    x = np.stack([shape_picture(rng, 8, ("disc", "square")[i % 2], colour=False)
                  for i in range(160)])[..., None]          # (160, 8, 8, 1) uint8
    return x[:128], x[128:]


def new_run(folder, epochs=2, checkpoint_every=None, batch_size=16):
    config = TrainConfig(epochs=epochs, batch_size=batch_size, seed=3,
                         checkpoint_every=checkpoint_every)
    trainer = Trainer(VAE(seed=3, **TINY_MODEL), config, folder)
    return trainer, ManifoldFilm(trainer.model, folder)


def film_run(trainer, film, images, on_step=None):
    def step(point):
        film.on_step(point)
        if on_step is not None:
            on_step(point)
    trainer.fit(*images, progress=False, on_spike=lambda spike: None, on_step=step,
                on_epoch_end=film.on_epoch_end)


def gif_frames(path):
    with Image.open(path) as gif:
        return [(frame.convert("RGB"), frame.info["duration"])
                for frame in ImageSequence.Iterator(gif)]


@pytest.fixture(scope="module")
def reference(images, tmp_path_factory):
    """An uninterrupted 2-epoch run: (trainer, film, the points of its steps)."""
    folder = tmp_path_factory.mktemp("reference")
    trainer, film = new_run(folder)
    points = []
    film_run(trainer, film, images, on_step=points.append)
    return trainer, film, points


def test_a_frame_per_snapshot_in_the_gif(reference):
    trainer, film, _ = reference
    assert film.epochs == EXPECTED_EPOCHS
    assert film.tested == [False, False, False, True, True]
    frames = gif_frames(film.gif_path)
    assert len(frames) == len(EXPECTED_EPOCHS)
    assert [duration for _, duration in frames] == [FRAME_MS] * 4 + [LAST_FRAME_MS]
    # The pictures change as the decoder learns: no two snapshots are alike.
    assert len({picture.tobytes() for picture in film.pictures}) == len(EXPECTED_EPOCHS)
    assert len({frame.tobytes() for frame, _ in frames}) == len(EXPECTED_EPOCHS)


def test_the_last_frame_is_the_trained_models_manifold(reference):
    trainer, film, _ = reference
    _, image = plots.manifold_image(trainer.model.generate, 2)
    assert film.pictures[-1].dtype == np.uint8
    np.testing.assert_array_equal(film.pictures[-1], np.round(image * 255).astype(np.uint8))


def test_titles_say_the_epoch_and_the_latest_loss(reference):
    trainer, film, points = reference
    within = {point["epoch"]: point["train_loss"] for point in points}
    for k, fraction in enumerate([0.125, 0.25, 0.5]):
        assert film.title(k) == (f"epoch {fraction:g}: training loss so far "
                                 f"{within[fraction]:.1f} nats per image")
    for k, record in zip([3, 4], trainer.history):
        assert film.title(k) == (f"epoch {record['epoch']}: test loss "
                                 f"{record['test_loss']:.1f} nats per image")


def test_each_gif_frame_is_drawn_under_its_title(reference, monkeypatch):
    _, film, _ = reference
    figures, new_figure = [], png.new_figure
    monkeypatch.setattr(png, "new_figure",
                        lambda *a, **k: figures.append(new_figure(*a, **k)) or figures[-1])
    copy = ManifoldFilm(film.model, film.folder)
    copy.pictures, copy.epochs = film.pictures[:2], film.epochs[:2]
    copy.losses, copy.tested = film.losses[:2], film.tested[:2]
    copy.write_gif()
    titles = [axes.get_title() for _, axes in figures]
    assert titles == [f"The decoder's map of the latent space\n{film.title(k)}" for k in (0, 1)]


def test_snapshots_that_fall_on_one_step_make_one_frame(images, tmp_path):
    # 2 steps per epoch: the first step passes 1/8 and 1/4 at once, the second ends the epoch.
    trainer, film = new_run(tmp_path, epochs=1, batch_size=64)
    film_run(trainer, film, images)
    assert film.epochs == [0.5, 1.0]
    assert len(gif_frames(film.gif_path)) == 2


def test_resuming_after_an_epoch_keeps_the_earlier_frames(reference, images, tmp_path):
    trainer, film = new_run(tmp_path, epochs=1)
    film_run(trainer, film, images)
    resumed = Trainer.resume(trainer.checkpoint_path, epochs=2)
    film = ManifoldFilm.resume(resumed.model, tmp_path, position=1.0, history=resumed.history)
    film_run(resumed, film, images)
    assert_same_film(film, reference[1])


def test_frames_filmed_after_the_checkpoint_are_filmed_again(reference, images, tmp_path):
    """Checkpoints at steps 3 and 6; stopped at step 5, after the 1/2 frame of step 4: the
    resumed run drops that frame and films it again at step 4."""
    trainer, film = new_run(tmp_path, checkpoint_every=3)

    def stop(point):
        if point["epoch"] == 5 / 8:
            raise Interrupted
    with pytest.raises(Interrupted):
        film_run(trainer, film, images, on_step=stop)
    assert film.epochs == [0.125, 0.25, 0.5]
    resumed = Trainer.resume(trainer.checkpoint_path)
    assert (resumed.state.epoch, resumed.state.step_in_epoch) == (0, 3)
    film = ManifoldFilm.resume(resumed.model, tmp_path, position=3 / 8, history=resumed.history)
    assert film.epochs == [0.125, 0.25]
    film_run(resumed, film, images)
    assert_same_film(film, reference[1])


def test_an_epochs_frame_lost_by_a_kill_is_filmed_on_resume(reference, images, tmp_path):
    # Killed after the checkpoint of epoch 1 but before its frame: the film has 3 frames.
    trainer, film = new_run(tmp_path, epochs=1)
    trainer.fit(*images, progress=False, on_spike=lambda spike: None, on_step=film.on_step)
    assert film.epochs == [0.125, 0.25, 0.5]
    resumed = Trainer.resume(trainer.checkpoint_path, epochs=2)
    film = ManifoldFilm.resume(resumed.model, tmp_path, position=1.0, history=resumed.history)
    assert film.epochs == [0.125, 0.25, 0.5, 1.0]
    film_run(resumed, film, images)
    assert_same_film(film, reference[1])


def assert_same_film(film, expected):
    assert film.epochs == expected.epochs and film.tested == expected.tested
    assert film.losses == expected.losses
    for picture, other in zip(film.pictures, expected.pictures, strict=True):
        np.testing.assert_array_equal(picture, other)
    assert len(gif_frames(film.gif_path)) == len(expected.epochs)


def test_a_resume_without_frames_says_so_and_starts_there(reference, tmp_path):
    said = []
    film = ManifoldFilm.resume(reference[0].model, tmp_path, position=2.0,
                               history=reference[0].history, say=said.append)
    assert film.epochs == [2.0] and len(said) == 1 and "starts at epoch 2" in said[0]


def test_a_resume_keeps_the_dims_it_began_with_and_says_so(reference, tmp_path):
    _, film, _ = reference
    folder = shutil.copytree(film.folder, tmp_path / "run")
    said = []
    resumed = ManifoldFilm.resume(film.model, folder, position=2.0, history=reference[0].history,
                                  dims=(1, 0), say=said.append)
    assert resumed.dims == film.dims == (0, 1) and resumed.epochs == film.epochs
    assert len(said) == 1 and "1 0, are ignored" in said[0] and "--dims" not in said[0]


def test_an_unreadable_frames_file_is_said_and_replaced(reference, tmp_path):
    (tmp_path / animation.FRAMES_NAME).write_bytes(b"not an archive")
    said = []
    film = ManifoldFilm.resume(reference[0].model, tmp_path, position=2.0,
                               history=reference[0].history, say=said.append)
    assert "cannot read" in said[0] and film.epochs == [2.0]
    assert ManifoldFilm._load(film.model, tmp_path).epochs == [2.0]


def test_a_failed_write_leaves_the_previous_gif_whole(reference, tmp_path, monkeypatch):
    _, film, _ = reference
    copy = ManifoldFilm(film.model, tmp_path)
    copy.snapshot(0.125, 300.0, tested=False)
    before = copy.gif_path.read_bytes()

    def broken_save(image, file, **options):
        file.write(b"GIF89a half a picture")
        raise OSError("disk full")
    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        copy.snapshot(0.25, 250.0, tested=False)
    assert copy.gif_path.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [animation.GIF_NAME,
                                                                animation.FRAMES_NAME]


# --------------------------------------------------------------------------- the command line

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("gray") / "gray"
    write_shapes(path, 80, size=8, colour=False)
    return path


def train(folder, out, *options):
    return cli.main(["train", "--data", str(folder), "--epochs", "1", "--batch-size", "16",
                     "--quiet", "--out", str(out), *options])


def test_train_writes_the_gif_and_resumes_it(folder, tmp_path, capsys):
    assert train(folder, tmp_path / "run") == 0
    assert len(gif_frames(tmp_path / "run" / animation.GIF_NAME)) == 4  # 1/8, 1/4, 1/2, 1
    assert f"and {tmp_path / 'run' / animation.GIF_NAME}, written as it trained" in (
        capsys.readouterr().out)
    assert cli.main(["train", "--out", str(tmp_path / "run"), "--resume", "--epochs", "2",
                     "--quiet"]) == 0
    assert len(gif_frames(tmp_path / "run" / animation.GIF_NAME)) == 5


def test_latent_dim_1_has_no_gif_and_says_so_once(folder, tmp_path, capsys):
    assert train(folder, tmp_path, "--latent-dim", "1") == 0
    assert capsys.readouterr().out.count("no manifold.gif") == 1
    assert not (tmp_path / animation.GIF_NAME).exists()


def test_no_pictures_films_nothing(folder, tmp_path):
    assert train(folder, tmp_path, "--no-pictures") == 0
    assert not (tmp_path / animation.GIF_NAME).exists()
    assert not (tmp_path / animation.FRAMES_NAME).exists()


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_a_decoder_gone_to_nan_draws_no_frame(reference, tmp_path):
    model = VAE(seed=0, **TINY_MODEL)
    _, layer = model.decoder.named_layers()[0]
    next(iter(layer.params.values()))[...] = 1e38   # finite weights, overflowing pixels
    film = ManifoldFilm(model, tmp_path)
    film.on_step({"epoch": 0.5, "train_loss": 1e30})
    assert film.epochs == [] and not film.gif_path.exists()
