"""Obligation checks for physical security (AL-5: locks, alarms, access control, key storage,
camera surveillance), a module per register."""

from . import key_checks  # noqa: F401
