"""Importing npvae sets its thread pools' settings for itself only, not for the user."""
import os
import subprocess
import sys

import pytest

SETTINGS = ("OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT")
SHOW = "import os, npvae; print([os.environ.get(n) for n in %r])" % (SETTINGS,)


def settings_after_import(**user_settings):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(user_settings)
    out = subprocess.run([sys.executable, "-c", SHOW], env=env, check=True,
                         capture_output=True, text=True).stdout
    return out.strip()


def test_import_leaves_the_environment_as_it_found_it():
    # Child processes and other libraries must not inherit npvae's passive waiting.
    assert settings_after_import() == "[None, None]"


@pytest.mark.parametrize("name, value", [("OMP_WAIT_POLICY", "active"),
                                         ("OPENBLAS_THREAD_TIMEOUT", "28")])
def test_a_users_own_setting_is_kept(name, value):
    expected = [value if n == name else None for n in SETTINGS]
    assert settings_after_import(**{name: value}) == str(expected)
