"""Värna's settings with some areas' apps removed (VARNA_TEST_WITHOUT=risks,incidents,...),
for tests/core/test_area_removal.py."""

import os

from varna.settings import *  # noqa: F403

_removed = {f"varna.{key}" for key in os.environ.get("VARNA_TEST_WITHOUT", "").split(",") if key}
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in _removed]  # noqa: F405
