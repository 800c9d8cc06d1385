"""Tests for npvae.storage.checkpoint: exact round trips, atomic replacement, clear errors."""

import os
import re
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import npvae.storage.atomic
from npvae.storage import checkpoint
from npvae.storage.checkpoint import (
    FORMAT_KEY,
    FORMAT_VERSION,
    META_KEY,
    VERSION_KEY,
    CheckpointError,
    load_checkpoint,
    remove_stale_temporaries,
    save_checkpoint,
)


def example_arrays():
    """Several dtypes and shapes, including 0-d, empty, and a non-contiguous view."""
    weights = np.random.default_rng(0).standard_normal((3, 3, 1, 4)).astype(np.float32)
    weights[0, 0, 0, :2] = [np.nan, -0.0]  # bit-exact means NaN and the sign of zero survive
    return {
        "encoder/conv1/W": weights,
        "encoder/conv1/b": np.zeros(4, dtype=np.float32),
        "optim/encoder/conv1/W/ms": np.full((3, 3, 1, 4), 1e-8, dtype=np.float64),
        "decoder/dense/W": np.arange(12, dtype=np.float64).reshape(3, 4).T,  # not C-contiguous
        "optim/step": np.array(1234, dtype=np.int64),  # 0-d
        "history/seed": np.array([2**64 - 1, 0], dtype=np.uint64),
        "history/counts": np.array([1, 2, 3], dtype=np.uint32),
        "history/empty": np.empty((0, 5), dtype=np.float32),
        "mask": np.array([True, False]),
    }


def assert_bit_identical(expected, actual):
    assert list(actual) == list(expected)
    for key, array in expected.items():
        assert actual[key].dtype == array.dtype, key
        assert actual[key].shape == array.shape, key
        assert actual[key].tobytes() == array.tobytes(), key


def write_npz(path, **entries):
    """Write an .npz by hand, to build checkpoints that save_checkpoint would refuse to."""
    with open(path, "wb") as file:
        np.savez(file, **entries)


def valid_entries():
    """The reserved entries of a well-formed checkpoint, to be broken one at a time."""
    return {FORMAT_KEY: np.array("npvae"),
            VERSION_KEY: np.array(FORMAT_VERSION, dtype=np.int64),
            META_KEY: np.frombuffer(b'{"epoch": 1}', dtype=np.uint8)}


@pytest.fixture
def saved(tmp_path):
    """A valid checkpoint on disk and its raw bytes."""
    path = save_checkpoint(tmp_path / "ckpt.npz", example_arrays(), {"epoch": 1})
    return path, path.read_bytes()


# --------------------------------------------------------------------------- round trip


def test_arrays_and_meta_round_trip_bit_identical(tmp_path):
    rng = np.random.default_rng(123)
    rng.standard_normal(7)
    rng.integers(0, 100, size=3, dtype=np.uint32)  # may leave half a 64-bit draw buffered
    meta = {"config": {"latent_dim": 2, "channels": [32, 64], "lr": 1e-3, "name": "β-VAE",
                       "binarize": True, "clip": None},
            "epoch": 3, "step": 1234, "rng": rng.bit_generator.state}
    arrays = example_arrays()

    path = save_checkpoint(tmp_path / "ckpt.npz", arrays, meta)
    loaded_arrays, loaded_meta = load_checkpoint(path)

    assert path == tmp_path / "ckpt.npz"
    assert_bit_identical(arrays, loaded_arrays)
    assert loaded_meta == meta
    assert loaded_meta["rng"]["state"]["state"] > 2**64  # really a 128-bit integer


def test_restored_rng_continues_the_same_stream(tmp_path):
    rng = np.random.default_rng(123)
    rng.random(5)
    save_checkpoint(tmp_path / "ckpt.npz", {}, {"rng": rng.bit_generator.state})
    expected = rng.random(10)

    restored = np.random.default_rng()
    restored.bit_generator.state = load_checkpoint(tmp_path / "ckpt.npz")[1]["rng"]

    np.testing.assert_array_equal(restored.random(10), expected)


def test_numpy_scalars_in_meta_are_stored_as_python_numbers(tmp_path):
    path = save_checkpoint(tmp_path / "ckpt.npz", {}, {"step": np.int64(7),
                                                      "loss": np.float32(0.5)})
    assert load_checkpoint(path)[1] == {"step": 7, "loss": 0.5}


def test_save_creates_parent_folders_and_overwrites(tmp_path):
    path = tmp_path / "runs" / "a" / "ckpt.npz"
    save_checkpoint(path, {"w": np.ones(2)}, {"epoch": 1})
    save_checkpoint(path, {"w": np.zeros(3)}, {"epoch": 2})

    arrays, meta = load_checkpoint(path)

    assert meta == {"epoch": 2}
    np.testing.assert_array_equal(arrays["w"], np.zeros(3))
    assert os.listdir(path.parent) == ["ckpt.npz"]


def test_checkpoint_gets_the_permissions_of_an_ordinary_file(tmp_path):
    ordinary = tmp_path / "ordinary"
    ordinary.write_bytes(b"")
    path = save_checkpoint(tmp_path / "ckpt.npz", {}, {})
    assert path.stat().st_mode & 0o777 == ordinary.stat().st_mode & 0o777


# --------------------------------------------------------------------------- atomicity


def fail_during_write(monkeypatch):
    def write_some_then_fail(file, **entries):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")
    monkeypatch.setattr(checkpoint.np, "savez", write_some_then_fail)


def fail_during_rename(monkeypatch):
    def refuse(source, target):
        raise KeyboardInterrupt  # also the user pressing Ctrl-C at the worst moment
    monkeypatch.setattr(npvae.storage.atomic.os, "replace", refuse)


@pytest.mark.parametrize("fail", [fail_during_write, fail_during_rename])
def test_failed_save_leaves_previous_checkpoint_and_no_temporary(saved, monkeypatch, fail):
    path, previous_bytes = saved
    fail(monkeypatch)

    with pytest.raises((OSError, KeyboardInterrupt)):
        save_checkpoint(path, {"w": np.ones(3)}, {"epoch": 2})

    assert path.read_bytes() == previous_bytes
    assert os.listdir(path.parent) == ["ckpt.npz"]


def test_invalid_input_is_refused_before_touching_the_disk(tmp_path):
    path = tmp_path / "new" / "ckpt.npz"
    with pytest.raises(ValueError, match="object"):
        save_checkpoint(path, {"w": np.array([1, "a", None], dtype=object)}, {})
    with pytest.raises(ValueError, match="reserved"):
        save_checkpoint(path, {META_KEY: np.ones(1)}, {})
    with pytest.raises(ValueError, match="reserved"):
        save_checkpoint(path, {"file": np.ones(1)}, {})
    with pytest.raises(TypeError, match="JSON"):
        save_checkpoint(path, {}, {"weights": np.ones(2)})
    assert not path.parent.exists()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_writer_killed_before_rename_leaves_old_checkpoint_and_a_marked_temporary(saved):
    path, previous_bytes = saved
    writer = textwrap.dedent(f"""
        import os, sys, time
        import numpy as np
        from npvae.storage import checkpoint

        def stall(source, target):
            print("written", flush=True)
            time.sleep(60)

        os.replace = stall
        checkpoint.save_checkpoint({str(path)!r}, {{"w": np.ones(1000)}}, {{"epoch": 2}})
    """)
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE)
    try:
        assert process.stdout.readline() == b"written\n"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()

    assert path.read_bytes() == previous_bytes
    assert load_checkpoint(path)[1] == {"epoch": 1}
    leftovers = sorted(set(os.listdir(path.parent)) - {"ckpt.npz"})
    assert len(leftovers) == 1 and leftovers[0].startswith(".ckpt.npz.tmp-")
    assert [p.name for p in remove_stale_temporaries(path.parent)] == leftovers
    assert os.listdir(path.parent) == ["ckpt.npz"]


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, "all but one byte"])
def test_truncated_checkpoint_raises_checkpoint_error(saved, fraction):
    path, data = saved
    end = len(data) - 1 if fraction == "all but one byte" else int(len(data) * fraction)
    path.write_bytes(data[:end])
    with pytest.raises(CheckpointError, match=re.escape(str(path))):
        load_checkpoint(path)


def test_random_bytes_raise_checkpoint_error(tmp_path):
    path = tmp_path / "ckpt.npz"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(CheckpointError, match=re.escape(str(path))):
        load_checkpoint(path)


def test_flipped_byte_inside_an_array_is_detected(saved):
    path, data = saved
    corrupt = bytearray(data)
    corrupt[len(data) // 3] ^= 0xFF  # inside the stored arrays; the zip CRC must catch it
    path.write_bytes(bytes(corrupt))
    with pytest.raises(CheckpointError, match=re.escape(str(path))):
        load_checkpoint(path)


def test_missing_file_raises_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "absent.npz")


def test_npz_without_marker_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "other.npz"
    entries = valid_entries()
    del entries[FORMAT_KEY]
    write_npz(path, weights=np.ones(3), **entries)
    with pytest.raises(CheckpointError, match="not an npvae checkpoint"):
        load_checkpoint(path)


def test_single_npy_array_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.ones(3))
    with pytest.raises(CheckpointError, match="not an npvae checkpoint"):
        load_checkpoint(path)


def test_other_format_version_names_both_versions(tmp_path):
    path = tmp_path / "future.npz"
    other = FORMAT_VERSION + 1
    write_npz(path, **{**valid_entries(), VERSION_KEY: np.array(other, dtype=np.int64)})
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(path)
    assert f"version {other}" in str(error.value)
    assert f"version {FORMAT_VERSION}" in str(error.value)


@pytest.mark.parametrize("broken", [
    {META_KEY: None},  # missing
    {META_KEY: np.frombuffer(b"{not json", dtype=np.uint8)},
    {META_KEY: np.frombuffer(b"[1, 2]", dtype=np.uint8)},  # JSON, but not an object
    {VERSION_KEY: None},
])
def test_broken_reserved_entries_raise_checkpoint_error(tmp_path, broken):
    path = tmp_path / "broken.npz"
    entries = {**valid_entries(), **broken}
    write_npz(path, **{key: value for key, value in entries.items() if value is not None})
    with pytest.raises(CheckpointError, match=re.escape(str(path))):
        load_checkpoint(path)


def test_object_array_inside_an_archive_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "pickled.npz"
    write_npz(path, payload=np.array([{"a": 1}], dtype=object), **valid_entries())
    with pytest.raises(CheckpointError, match=re.escape(str(path))):
        load_checkpoint(path)
