"""The explorer: synthetic mouse and key events through the canvas, and what it then shows."""
import matplotlib.image
import numpy as np
import pytest
from matplotlib.backend_bases import KeyEvent, MouseEvent

from npvae.explorer import view as explorer_view
from npvae.explorer.state import Explorer, render_at
from npvae.explorer.window import display_problem
from npvae.models import VAE
from npvae.pictures import style as picture_style


def tiny_vae(latent_dim=2, channels=1, shape=(8, 8)):
    return VAE(input_shape=shape + (channels,), latent_dim=latent_dim,
               encoder_filters=(2, 2, 2, 2), dense_units=4, decoder_filters=2, seed=1)


def data(n=30, channels=1, shape=(8, 8)):
    rng = np.random.default_rng(0)
    return (rng.random((n,) + shape + (channels,), dtype=np.float32),
            rng.integers(0, 10, n))


def explorer(latent_dim=2, dims=(0, 1), channels=1, **kwargs):
    x, labels = data(channels=channels)
    result = Explorer(tiny_vae(latent_dim, channels), x, labels, dims, **kwargs)
    result.figure.canvas.draw()  # as a window would be, before the first event
    return result


def pixel(axes, x, y):
    """The whole pixel nearest to data point (x, y): what a real mouse reports."""
    return tuple(np.round(axes.transData.transform((x, y))))


def mouse(ex, name, px, py, button=None):
    canvas = ex.figure.canvas
    canvas.callbacks.process(name, MouseEvent(name, canvas, px, py, button=button))


def key(ex, name):
    canvas = ex.figure.canvas
    canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", canvas, name))


def move(ex, x, y):
    """Move the mouse to (about) data point (x, y), let the redraw run; return the pixel."""
    px, py = pixel(ex.view.plane, x, y)
    mouse(ex, "motion_notify_event", px, py)
    ex.flush()
    return px, py


def code_at(ex, px, py, others=0.0):
    x, y = ex.view.plane.transData.inverted().transform((px, py))
    z = np.full(ex.latent_dim, others, dtype=np.float32)
    z[ex.dims[0]] = x
    if len(ex.dims) == 2:
        z[ex.dims[1]] = y
    return z


def shown(ex):
    return np.asarray(ex.view.image.get_array())


def grey(images):
    return explorer_view.displayable(images)


@pytest.mark.parametrize("latent_dim, dims", [(2, (0, 1)), (2, (1, 0)), (4, (3, 1))])
def test_the_image_is_the_decoder_at_the_point_under_the_mouse(latent_dim, dims):
    ex = explorer(latent_dim, dims)
    for x, y in ((0.7, -1.2), (-2.1, 0.4)):
        px, py = move(ex, x, y)
        z = code_at(ex, px, py)
        np.testing.assert_array_equal(ex.z, z)
        np.testing.assert_array_equal(shown(ex), grey(ex.model.generate(z[None]))[0])
        np.testing.assert_allclose(np.ravel(ex.view.cursor.get_data()), [x, y], atol=0.02)


def test_a_one_dimensional_latent_ignores_the_mouse_height():
    ex = explorer(latent_dim=1, dims=(0,))
    move(ex, 1.3, 2.0)
    first = shown(ex).copy()
    px, py = move(ex, 1.3, 7.0)
    np.testing.assert_array_equal(shown(ex), first)
    z = code_at(ex, px, py)
    assert z.shape == (1,)
    np.testing.assert_array_equal(shown(ex), grey(ex.model.generate(z[None]))[0])


def test_moves_before_a_redraw_are_merged_into_it(monkeypatch):
    ex = explorer()
    calls = []
    generate = ex.model.generate
    monkeypatch.setattr(ex.model, "generate", lambda z, labels: calls.append(z) or generate(z))
    for x in np.linspace(-2, 2, 6):
        mouse(ex, "motion_notify_event", *pixel(ex.view.plane, x, 0.5))
    assert calls == []  # the moves only recorded where the mouse was
    ex.flush()
    ex.flush()          # nothing new: nothing decoded
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0][0], [2, 0.5], atol=0.02)


def test_moves_outside_the_plane_change_nothing():
    ex = explorer()
    before = shown(ex).copy()
    mouse(ex, "motion_notify_event", *pixel(ex.view.image_axes, 1, 1))
    ex.flush()
    np.testing.assert_array_equal(shown(ex), before)


def strip_pixels(ex):
    return np.asarray(ex.view.strip.images[0].get_array())


def strip_of(images):
    """The strip of images in one row, as the pictures tile them (NaN: a white gap)."""
    return picture_style.tile_images(grey(images), ncols=len(images))


def test_clicks_pin_points_and_i_interpolates_between_the_last_two():
    ex = explorer(latent_dim=3)
    generate = ex.model.generate
    clicks = [pixel(ex.view.plane, -1.5, 1.0), pixel(ex.view.plane, 0.5, -0.8),
              pixel(ex.view.plane, 2, 2)]
    for px, py in clicks:
        mouse(ex, "button_press_event", px, py, button=1)
    pins = np.stack([code_at(ex, px, py) for px, py in clicks])
    np.testing.assert_array_equal(np.stack(ex.pins), pins)
    np.testing.assert_allclose(np.ravel(ex.view.pin_marks.get_xdata()), [-1.5, 0.5, 2], atol=0.02)
    np.testing.assert_array_equal(strip_pixels(ex), strip_of(generate(pins)))

    key(ex, "i")
    t = np.linspace(0, 1, 10, dtype=np.float32)[:, None]
    line = generate((1 - t) * pins[1] + t * pins[2])
    np.testing.assert_array_equal(strip_pixels(ex), strip_of(line))
    np.testing.assert_array_equal(line[[0, -1]], generate(pins[1:]))
    assert "pin 2 -> pin 3" in ex.view.strip.get_title()

    key(ex, "c")
    assert ex.pins == [] and len(ex.view.strip.images) == 0


def test_i_with_one_pin_says_what_to_do():
    ex = explorer()
    mouse(ex, "button_press_event", *pixel(ex.view.plane, 0, 0), button=1)
    key(ex, "i")
    assert ex.interpolated is None and "pin two points" in ex.view.status.get_text()


def test_s_saves_the_window_as_a_new_png_each_time(tmp_path):
    ex = explorer(save_folder=tmp_path)
    move(ex, 1, 1)
    key(ex, "s")
    first = matplotlib.image.imread(tmp_path / "explore-1.png")
    assert first.shape[:2] == ex.view.pixels().shape[:2]
    move(ex, -1, 1)
    key(ex, "s")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["explore-1.png", "explore-2.png"]
    np.testing.assert_array_equal(matplotlib.image.imread(tmp_path / "explore-1.png"), first)
    assert "explore-2.png" in ex.view.status.get_text()


def test_question_mark_shows_and_hides_the_keys():
    ex = explorer()
    key(ex, "?")
    assert ex.view.help.get_visible() and "interpolate" in ex.view.help.get_text()
    key(ex, "?")
    assert not ex.view.help.get_visible()


def test_a_slider_sets_its_latent_dimension():
    ex = explorer(latent_dim=3, dims=(0, 2))
    assert list(ex.sliders) == [1]
    px, py = move(ex, 0.5, -0.5)
    slider = ex.sliders[1]
    sx, sy = slider.ax.transAxes.transform((0.8, 0.5))  # press 80 % along the slider
    mouse(ex, "button_press_event", sx, sy, button=1)
    mouse(ex, "button_release_event", sx, sy, button=1)
    assert slider.val == pytest.approx(0.6 * 3.0, abs=0.05)
    z = code_at(ex, px, py)
    z[1] = slider.val
    np.testing.assert_array_equal(ex.z, z)
    np.testing.assert_array_equal(shown(ex), grey(ex.model.generate(z[None]))[0])
    px, py = move(ex, -1, 1)  # the slider's value stays while the mouse moves
    assert ex.z[1] == np.float32(slider.val)


def test_render_at_draws_what_the_window_shows_at_that_point(tmp_path):
    x, labels = data()
    model = tiny_vae(latent_dim=3)
    ex = Explorer(model, x, labels, dims=(0, 1))
    ex.figure.canvas.draw()
    move(ex, 0.9, -0.3)
    ex.sliders[2].set_val(-1.25)
    out = render_at(model, ex.z, tmp_path / "view.png", x, labels, dims=(0, 1))
    saved = np.round(matplotlib.image.imread(out) * 255).astype(np.uint8)
    window = ex.view.pixels()
    assert saved.shape == window.shape
    np.testing.assert_array_equal(saved, window)


def test_colour_images_are_shown_in_colour():
    ex = explorer(channels=3)
    px, py = move(ex, 0.3, 0.3)
    image = shown(ex)
    assert image.shape == (8, 8, 3)
    np.testing.assert_array_equal(image, ex.model.generate(code_at(ex, px, py)[None])[0])


def test_bad_dims_and_codes_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"two different integers in 0\.\.2"):
        Explorer(tiny_vae(3), dims=(1, 1))
    with pytest.raises(ValueError, match="3 finite numbers"):
        Explorer(tiny_vae(3)).move_to([0.0, 1.0])
    x, _ = data()
    with pytest.raises(ValueError, match=r"labels must have shape \(30,\), one per image"):
        Explorer(tiny_vae(2), x, np.zeros(3))


def test_no_display_is_reported(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert "DISPLAY" in display_problem()


# --------------------------------------------------------------------------- the command line

@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    from npvae.storage.checkpoint import save_checkpoint
    model = tiny_vae(latent_dim=3, shape=(28, 28))
    path = tmp_path_factory.mktemp("run") / "checkpoint.npz"
    save_checkpoint(path, {f"model/{k}": v for k, v in model.weights().items()},
                    {"model": model.config})
    return path


def run_cli(argv, capsys):
    from npvae import cli
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_explore_without_a_display_says_so_in_one_line(checkpoint, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    code, out, err = run_cli(["explore", "--checkpoint", checkpoint], capsys)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "no display" in err and "--at" in err


def test_explore_at_writes_the_view_the_window_shows(checkpoint, tmp_path, capsys):
    from npvae.datasets import load_mnist
    from npvae.training.trainer import load_model
    out = tmp_path / "view.png"
    code, printed, err = run_cli(["explore", "--checkpoint", checkpoint, "--dims", 2, 0,
                                  "--limit", 50, "--at=0.4,-1.5,0.8", "--out", out], capsys)
    assert (code, err) == (0, "") and str(out) in printed
    _, (x_test, y_test) = load_mnist(dtype=np.float32)
    ex = Explorer(load_model(checkpoint), x_test[:50], y_test[:50], dims=(2, 0))
    ex.move_to([0.4, -1.5, 0.8])
    assert ex.sliders[1].val == pytest.approx(-1.5)
    saved = np.round(matplotlib.image.imread(out) * 255).astype(np.uint8)
    np.testing.assert_array_equal(saved, ex.view.pixels())


@pytest.mark.parametrize("options, fragment", [
    (["--at", "1,2"], "--at and --out go together"),
    (["--at", "1,2", "--out", "v.png"], "--at needs 3 numbers"),
    (["--dims", 0, 5, "--at", "1,2,3", "--out", "v.png"], "dims must be two different"),
])
def test_bad_explore_options_fail_in_one_line(checkpoint, tmp_path, monkeypatch, capsys,
                                              options, fragment):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["explore", "--checkpoint", checkpoint, "--limit", 5] + options,
                           capsys)
    assert code == 2 and len(err.splitlines()) == 1 and fragment in err
    assert not (tmp_path / "v.png").exists()
