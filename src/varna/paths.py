"""Where Värna keeps its data (SQLite database, uploads, the development secret key)."""

import os
from pathlib import Path


def data_dir() -> Path:
    """VARNA_DATA_DIR if set; in a source checkout its ignored `var/` beside pyproject.toml, the
    same folder whichever directory the command runs from (never inside the package, where a
    generated key could be committed); in an installed package the user's data folder."""
    configured = os.environ.get("VARNA_DATA_DIR")
    if configured:
        return Path(configured).resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "varna").is_dir():
        return checkout / "var"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "varna"
