"""``docs/notebooks/make.py``, the script that turns the chapters into notebooks, as a
module for the tests: its reading of fenced blocks is the one the guide's tests use."""
import importlib.util
from pathlib import Path

MAKE = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "make.py"
_spec = importlib.util.spec_from_file_location("notebook_maker", MAKE)
maker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(maker)
