"""Tests for the IDX reader (npvae.datasets.idx) and the MNIST loader (npvae.datasets.mnist).

The small IDX files here are written by `idx_bytes` below with struct, independently
of the reader under test, so a reader bug cannot cancel out against a writer bug.
"""
import gzip
import hashlib
import os
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npvae.datasets import IDXError, load_mnist, mnist, read_idx

TYPE_CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B,
              "int32": 0x0C, "float32": 0x0D, "float64": 0x0E}
STEMS = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def idx_bytes(array):
    """The IDX encoding of `array`: 00 00, type code, ndim, big-endian dims, big-endian data."""
    header = bytes([0, 0, TYPE_CODES[array.dtype.name], array.ndim])
    dims = struct.pack(f">{array.ndim}I", *array.shape)
    return header + dims + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_mnist_dir(directory, gzipped, n_train=5, n_test=3, seed=0):
    """Write four tiny MNIST-shaped files; return the arrays written, keyed by stem."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for stem, array in arrays.items():
        data = idx_bytes(array)
        if gzipped:
            (directory / f"{stem}.gz").write_bytes(gzip.compress(data))
        else:
            (directory / stem).write_bytes(data)
    return arrays


# ----------------------------------------------------------------- shipped files


@pytest.fixture(scope="module")
def shipped():
    return load_mnist()


def test_shipped_shapes_dtypes_and_range(shipped):
    (x_train, y_train), (x_test, y_test) = shipped
    assert x_train.shape == (60000, 28, 28, 1) and x_test.shape == (10000, 28, 28, 1)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == np.uint8 and x_test.dtype == np.uint8  # a quarter of float32
    assert y_train.dtype == np.uint8 and y_test.dtype == np.uint8
    for x in (x_train, x_test):
        assert x.min() == 0 and x.max() == 255
    assert set(np.unique(y_train)) == set(range(10))


def test_shipped_train_pixel_statistics(shipped):
    (x_train, _), _ = shipped
    x = x_train / 255.0
    assert round(float(x.mean(dtype=np.float64)), 4) == 0.1307
    assert round(float(x.std(dtype=np.float64)), 4) == 0.3081


def test_float_dtype_scales_to_the_unit_interval(shipped):
    _, (x_test, y_test) = load_mnist(dtype=np.float32)
    (_, _), (stored, labels) = shipped
    assert x_test.dtype == np.float32 and x_test.min() == 0.0 and x_test.max() == 1.0
    np.testing.assert_array_equal(x_test, stored.astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(y_test, labels)


def test_shipped_test_label_histogram(shipped):
    _, (_, y_test) = shipped
    expected = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(y_test, minlength=10).tolist() == expected


def test_callers_cannot_corrupt_the_cache():
    _, (x_test, y_test) = load_mnist()
    x_test[:] = 77
    y_test[:] = 42
    _, (x_again, y_again) = load_mnist()
    assert x_again.min() == 0 and y_again.max() == 9


# ----------------------------------------------------------------- round trips


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "raw"])
def test_round_trip_through_load_mnist(tmp_path, gzipped):
    arrays = write_mnist_dir(tmp_path, gzipped)
    (x_train, y_train), (x_test, y_test) = load_mnist(path=tmp_path)
    assert x_train.shape == (5, 28, 28, 1) and x_test.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(x_train[..., 0], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(x_test[..., 0], arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "raw"])
def test_round_trip_through_read_idx(tmp_path, gzipped):
    arrays = write_mnist_dir(tmp_path, gzipped)
    for stem, array in arrays.items():
        file = tmp_path / (f"{stem}.gz" if gzipped else stem)
        np.testing.assert_array_equal(read_idx(file), array)
        np.testing.assert_array_equal(read_idx(file.read_bytes()), array)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    (tmp_path / "plain.gz").write_bytes(idx_bytes(array))
    (tmp_path / "packed.idx").write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(tmp_path / "plain.gz"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "packed.idx"), array)


@pytest.mark.parametrize("dtype", list(TYPE_CODES))
def test_every_type_code_round_trips_in_native_order(dtype):
    array = (np.arange(24) - 12).astype(dtype).reshape(2, 3, 4)
    if dtype == "uint8":
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    result = read_idx(idx_bytes(array))
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    assert result.flags.writeable
    np.testing.assert_array_equal(result, array)


# ----------------------------------------------------------------- bad input

GOOD = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))  # 00 00 08 02 | 2 | 3 | 6 bytes


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x00", r"<bytes>: an IDX header needs at least 4 bytes, the file holds 2"),
        (b"\x01" + GOOD[1:], r"first two bytes must be 00 00, received 01 00"),
        (GOOD[:2] + b"\x0a" + GOOD[3:], r"unknown IDX type code 0x0A; expected one of 0x08 uint8"),
        (GOOD[:3] + b"\x00" + GOOD[4:], r"0 dimensions"),
        (GOOD[:3] + b"\x05" + GOOD[4:],
         r"5 dimensions, so it needs 24 bytes, but the file holds only 18"),
        (GOOD[:-1], r"header says 2x3 uint8 = 6 data bytes but the file holds 5"),
        (GOOD + b"\x00", r"header says 2x3 uint8 = 6 data bytes but the file holds 7"),
        (GOOD[:4] + struct.pack(">II", 2**32 - 1, 2**32 - 1) + b"\x00",
         r"4294967295x4294967295 uint8 = 18446744065119617025 data bytes but the file holds 1"),
        (gzip.compress(GOOD)[:-5],
         r"starts like a gzip file .* cannot be decompressed .*truncated"),
    ],
    ids=["too-short-header", "bad-magic", "unknown-type", "zero-ndim", "ndim-beyond-file",
         "too-few-bytes", "too-many-bytes", "huge-dims", "truncated-gzip"],
)
def test_bad_idx_bytes_raise_value_error(data, message):
    with pytest.raises(ValueError, match=message):
        read_idx(data)


def test_error_names_the_file(tmp_path):
    file = tmp_path / "train-images-idx3-ubyte"
    file.write_bytes(GOOD[:-1])
    with pytest.raises(IDXError, match=r"train-images-idx3-ubyte: header says"):
        read_idx(file)


def test_labels_count_must_match_images_count(tmp_path):
    write_mnist_dir(tmp_path, gzipped=False)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(ValueError,
                       match=r"holds 3 images but .*t10k-labels-idx1-ubyte holds 4 labels"):
        load_mnist(path=tmp_path)


def test_images_must_have_three_dims_of_28x28(tmp_path):
    write_mnist_dir(tmp_path, gzipped=True)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(idx_bytes(np.zeros((5, 784), np.uint8)))
    with pytest.raises(ValueError,
                       match=r"expected MNIST images, N x 28 x 28 .* received 5x784 uint8"):
        load_mnist(path=tmp_path)


def test_labels_must_be_digits(tmp_path):
    write_mnist_dir(tmp_path, gzipped=False)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(
        idx_bytes(np.array([1, 2, 10, 3, 4], np.uint8)))
    with pytest.raises(ValueError, match=r"digits 0\.\.9, but 1 are not \(first: 10 at index 2\)"):
        load_mnist(path=tmp_path)


def test_missing_file_lists_the_names_tried(tmp_path):
    write_mnist_dir(tmp_path, gzipped=True)
    (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError,
                       match=r"t10k-images-idx3-ubyte\.gz or .*t10k-images-idx3-ubyte\."):
        load_mnist(path=tmp_path)


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """Point the loader at a tmp directory linking to the real shipped files."""
    for stem in STEMS:
        os.symlink(mnist.SHIPPED_DIR / f"{stem}.gz", tmp_path / f"{stem}.gz")
    monkeypatch.setattr(mnist, "SHIPPED_DIR", tmp_path)
    return tmp_path


def test_checksum_mismatch_of_shipped_file(shipped_copy):
    file = shipped_copy / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(gzip.decompress(file.read_bytes()))
    data[100] ^= 0x01  # a label byte: the file stays structurally valid, only the hash catches it
    file.unlink()
    file.write_bytes(gzip.compress(bytes(data)))
    actual = hashlib.sha256(data).hexdigest()
    expected = mnist.SHIPPED_SHA256["t10k-labels-idx1-ubyte"]
    with pytest.raises(ValueError,
                       match=rf"t10k-labels-idx1-ubyte\.gz: the shipped copy is corrupt: "
                             rf".*should be {expected} but is {actual}; reinstall npvae"):
        load_mnist()


def test_truncated_shipped_file_says_reinstall(shipped_copy):
    file = shipped_copy / "t10k-labels-idx1-ubyte.gz"
    truncated = file.read_bytes()[:-100]
    file.unlink()
    file.write_bytes(truncated)
    with pytest.raises(ValueError,
                       match=r"t10k-labels-idx1-ubyte\.gz: .*truncated.*reinstall npvae"):
        load_mnist()


# ----------------------------------------------------------------- properties


def parses_faithfully_or_raises_value_error(data):
    """A parse must re-encode to exactly the (uncompressed) input; else a ValueError."""
    try:
        result = read_idx(data)
    except ValueError:
        return
    uncompressed = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    assert idx_bytes(result) == uncompressed


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.binary(max_size=64),
    st.binary(max_size=64).map(lambda b: b"\x00\x00" + b),  # past the magic check
    st.binary(max_size=64).map(lambda b: b"\x1f\x8b" + b),  # into the gzip path
))
def test_random_bytes_parse_or_raise_value_error(data):
    parses_faithfully_or_raises_value_error(data)


SEEDS = [
    np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
    (np.arange(6) - 3).astype(np.int16).reshape(3, 2),
    np.linspace(-1, 1, 5).astype(np.float64),
]


@st.composite
def mutated_idx(draw):
    """A valid small IDX file (maybe gzipped) with one byte flipped, a cut, or a tail."""
    data = idx_bytes(draw(st.sampled_from(SEEDS)))
    if draw(st.booleans()):
        data = gzip.compress(data)
    kind = draw(st.sampled_from(["flip", "truncate", "append"]))
    if kind == "flip":
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    if kind == "truncate":
        return data[:draw(st.integers(0, len(data) - 1))]
    return data + draw(st.binary(min_size=1, max_size=16))


@settings(max_examples=200, deadline=None)
@given(mutated_idx())
def test_mutated_idx_parses_correctly_or_raises_value_error(data):
    parses_faithfully_or_raises_value_error(data)
