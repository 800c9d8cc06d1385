"""load_data on folders built here: pictures (colour, gray, broken, mixed sizes, labels)
and IDX folders under other names and sizes. Nothing is downloaded."""
import gzip

import numpy as np
import pytest
from picture_folders import write_shapes
from PIL import Image
from test_mnist import idx_bytes

from npvae.datasets import image_folder, load_data, reload_data
from npvae.datasets.resize import centre_box, image_size


@pytest.fixture
def colour_folder(tmp_path):
    write_shapes(tmp_path / "pics", 30, size=16, colour=True)
    return tmp_path / "pics"


def test_a_colour_folder_loads_as_uint8_with_labels(colour_folder):
    data = load_data(colour_folder, progress=False)
    assert data.x_train.dtype == np.uint8 and data.x_train.shape == (27, 16, 16, 3)
    assert data.x_test.shape == (3, 16, 16, 3)
    assert data.description["label_names"] == ["disc", "square"]
    assert sorted(np.bincount(np.concatenate([data.y_train, data.y_test]))) == [15, 15]
    first = np.asarray(Image.open(colour_folder / "disc" / "0000.png"))
    # The hold-out keeps the files' order, so the first training picture is a file's.
    assert any(np.array_equal(first, x) for x in (data.x_train[0], data.x_test[0]))


def test_a_grayscale_folder_gets_one_channel_and_can_be_asked_for_three(tmp_path):
    write_shapes(tmp_path, 10, size=8, colour=False, labelled=False)
    gray = load_data(tmp_path, progress=False)
    assert gray.x_train.shape[1:] == (8, 8, 1) and gray.y_train is None
    colour = load_data(tmp_path, channels=3, progress=False)
    np.testing.assert_array_equal(colour.x_train, np.repeat(gray.x_train, 3, axis=-1))


def test_colour_asked_as_gray_uses_the_luma_of_pillow(colour_folder):
    gray = load_data(colour_folder, channels=1, progress=False)
    picture = Image.open(colour_folder / "disc" / "0000.png").convert("L")
    all_gray = np.concatenate([gray.x_train, gray.x_test])
    assert any(np.array_equal(np.asarray(picture), x[..., 0]) for x in all_gray)


def test_mixed_sizes_need_an_image_size_then_are_cropped_and_resized(tmp_path):
    write_shapes(tmp_path / "a", 4, size=16, labelled=False)
    (tmp_path / "b").mkdir()
    Image.new("RGB", (40, 20), (255, 0, 0)).save(tmp_path / "b" / "wide.bmp")
    with pytest.raises(ValueError, match=r"differ in size .* --image-size"):
        load_data(tmp_path, progress=False)
    data = load_data(tmp_path, image_size="8x12", progress=False)
    assert data.x_train.shape[1:] == (8, 12, 3)
    assert len(data.x_train) + len(data.x_test) == 5


def test_the_centre_box_keeps_the_aspect_ratio_and_is_centred():
    assert centre_box(40, 20, (10, 10)) == (10, 0, 30, 20)       # wide: trim the sides
    assert centre_box(20, 40, (10, 20)) == (0, 15, 20, 25)       # tall: trim top, bottom
    assert centre_box(30, 30, (8, 8)) == (0, 0, 30, 30)


def test_corrupt_and_other_files_are_skipped_and_counted(colour_folder):
    (colour_folder / "disc" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (colour_folder / "cut.jpg").write_bytes(b"\xff\xd8\xff")
    (colour_folder / "readme.txt").write_text("not a picture")
    data = load_data(colour_folder, progress=False)
    assert len(data.x_train) + len(data.x_test) == 30
    assert data.description["skipped"] == {"count": 2, "first": ["cut.jpg", "disc/broken.png"]}
    # cut.jpg sits in no subfolder, but it was skipped: the rest still carry labels.
    assert data.description["label_names"] == ["disc", "square"]


def test_a_test_subfolder_is_the_test_set(tmp_path):
    write_shapes(tmp_path / "train", 12, size=16)
    write_shapes(tmp_path / "test", 4, size=16, seed=1)
    data = load_data(tmp_path, progress=False)
    assert (len(data.x_train), len(data.x_test)) == (12, 4)
    assert data.description["split"] == {"rule": "the data's own test set", "train": 12,
                                          "test": 4}
    np.testing.assert_array_equal(data.y_test, [0, 0, 1, 1])


def test_the_hold_out_depends_on_the_seed_only(colour_folder):
    a = load_data(colour_folder, seed=3, progress=False)
    b = load_data(colour_folder, seed=3, progress=False)
    c = load_data(colour_folder, seed=4, progress=False)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert not np.array_equal(a.x_test, c.x_test)
    again = reload_data(a.description, progress=False)
    np.testing.assert_array_equal(again.x_train, a.x_train)
    np.testing.assert_array_equal(again.y_test, a.y_test)


def test_reload_notices_that_the_data_changed(colour_folder):
    data = load_data(colour_folder, progress=False)
    write_shapes(colour_folder / "more", 4, size=16, seed=5)
    with pytest.raises(ValueError, match="changed since this run began"):
        reload_data(data.description, progress=False)


def test_the_second_load_reads_the_cache_not_the_pictures(colour_folder, monkeypatch):
    first = load_data(colour_folder, progress=False)
    assert (colour_folder / ".npvae-cache").is_dir()

    def no_decoding(*args):
        raise AssertionError("a picture was decoded although the cache holds it")

    monkeypatch.setattr(image_folder, "decode_picture", no_decoding)
    second = load_data(colour_folder, progress=False)
    np.testing.assert_array_equal(second.x_train, first.x_train)
    np.testing.assert_array_equal(second.y_train, first.y_train)
    # Another option is another array: that one has to be decoded.
    with pytest.raises(AssertionError, match="was decoded"):
        load_data(colour_folder, image_size=8, progress=False)


def test_a_touched_picture_is_decoded_again(colour_folder, monkeypatch):
    load_data(colour_folder, progress=False)
    picture = colour_folder / "square" / "0001.png"
    Image.new("RGB", (16, 16), (0, 0, 255)).save(picture)
    data = load_data(colour_folder, progress=False)
    everything = np.concatenate([data.x_train, data.x_test])
    assert any((x[..., 2] == 255).all() and (x[..., :2] == 0).all() for x in everything)


@pytest.mark.parametrize("options, message", [
    ({"image_size": 7}, r"7x7, but the model takes even heights and widths from 8 up"),
    ({"image_size": 4}, r"4x4, but the model takes even"),
    ({"channels": 2}, r"channels must be 1 \(grayscale\) or 3 \(colour\); got 2"),
    ({"test_fraction": 1.5}, r"between 0 and 1"),
])
def test_bad_options_are_one_line_errors(colour_folder, options, message):
    with pytest.raises(ValueError, match=message) as error:
        load_data(colour_folder, progress=False, **options)
    assert "\n" not in str(error.value)


def test_bad_folders_are_one_line_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no pictures in .*empty"):
        load_data(tmp_path / "empty", progress=False)
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "a.txt").write_text("words")
    with pytest.raises(ValueError, match=r"no pictures .*\(it holds 1 other files\)"):
        load_data(tmp_path / "text", progress=False)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.png").write_bytes(b"nope")
    with pytest.raises(ValueError, match=r"none of the 1 pictures .* could be read"):
        load_data(tmp_path / "broken", progress=False)
    (tmp_path / "tiny").mkdir()
    Image.new("L", (1, 1)).save(tmp_path / "tiny" / "dot.png")
    with pytest.raises(ValueError, match=r"dot.png is 1x1 pixels, too small"):
        load_data(tmp_path / "tiny", image_size=8, progress=False)
    (tmp_path / "odd").mkdir()
    Image.new("L", (9, 9)).save(tmp_path / "odd" / "a.png")
    with pytest.raises(ValueError, match=r"9x9, but the model takes even .* such as 10x10"):
        load_data(tmp_path / "odd", progress=False)
    with pytest.raises(NotADirectoryError, match=r"a.png is a file, not a folder"):
        load_data(tmp_path / "odd" / "a.png", progress=False)
    with pytest.raises(FileNotFoundError, match=r"no folder at"):
        load_data(tmp_path / "nowhere", progress=False)


# ----------------------------------------------------------------- IDX folders


def write_idx(path, array, gzipped):
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if gzipped else data)


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "raw"])
def test_an_idx_folder_under_other_names_and_size_loads(tmp_path, gzipped):
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (6, 12, 10), dtype=np.uint8)
    test = rng.integers(0, 256, (2, 12, 10), dtype=np.uint8)
    labels = rng.integers(0, 26, 6, dtype=np.uint8)
    suffix = ".gz" if gzipped else ""
    write_idx(tmp_path / f"emnist-letters-train-images-idx3-ubyte{suffix}", train, gzipped)
    write_idx(tmp_path / f"emnist-letters-train-labels-idx1-ubyte{suffix}", labels, gzipped)
    write_idx(tmp_path / f"emnist-letters-test-images-idx3-ubyte{suffix}", test, gzipped)
    data = load_data(tmp_path, progress=False)
    assert data.description["kind"] == "idx folder"
    np.testing.assert_array_equal(data.x_train[..., 0], train)
    np.testing.assert_array_equal(data.x_test[..., 0], test)
    np.testing.assert_array_equal(data.y_train, labels)
    assert data.y_test is None                       # labels are optional
    resized = load_data(tmp_path, image_size=8, channels=3, progress=False)
    assert resized.x_train.shape == (6, 8, 8, 3)


def test_an_idx_folder_without_test_files_is_held_out(tmp_path):
    images = np.arange(10 * 8 * 8, dtype=np.uint8).reshape(10, 8, 8) % 251
    write_idx(tmp_path / "train-images-idx3-ubyte", images, gzipped=False)
    data = load_data(tmp_path, test_fraction=0.2, seed=1, progress=False)
    assert (len(data.x_train), len(data.x_test)) == (8, 2)
    together = np.concatenate([data.x_train, data.x_test])[..., 0]
    assert sorted(map(bytes, together)) == sorted(map(bytes, images))
    assert data.description["split"]["rule"] == "hold-out"


def test_an_idx_folder_of_two_sets_is_refused(tmp_path):
    images = np.zeros((2, 8, 8), np.uint8)
    write_idx(tmp_path / "a-train-images-idx3-ubyte", images, gzipped=False)
    write_idx(tmp_path / "b-train-images-idx3-ubyte", images, gzipped=False)
    with pytest.raises(ValueError, match="several sets"):
        load_data(tmp_path, progress=False)


def test_mnist_is_the_default_and_stays_uint8():
    data = load_data(progress=False)
    assert data.x_train.dtype == np.uint8 and data.x_train.shape == (60000, 28, 28, 1)
    assert data.description["kind"] == "mnist" and data.description["split"]["test"] == 10000


@pytest.mark.parametrize("given, expected", [("32", (32, 32)), ("48x64", (48, 64)),
                                             (16, (16, 16)), ((8, 10), (8, 10)), (None, None)])
def test_image_sizes_are_read_as_height_and_width(given, expected):
    assert image_size(given) == expected


@pytest.mark.parametrize("given", ["7", "8x9", "big", "0x0", (8,)])
def test_bad_image_sizes_are_refused(given):
    with pytest.raises(ValueError, match="image size"):
        image_size(given)
