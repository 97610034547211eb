"""The wizard's own settings, remembered between runs in a small TOML file
($XDG_CONFIG_HOME/imgwizard/settings.toml, else ~/.config/imgwizard/settings.toml). Today: whether the preview
wraps long lines or scrolls sideways. A missing or unreadable file means the defaults; a setting that cannot be
written is kept for this run only."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from wizard.safeio import SafeIOError, os_reason, read_text
from wizard.text import Msg

LIMIT = 64 * 1024


def default_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "imgwizard" / "settings.toml"


@dataclass
class Settings:
    preview_wrap: bool = False  # False: long lines scroll sideways
    path: Path | None = None  # None: nothing is remembered (tests, or no home folder)

    @classmethod
    def load(cls, path: Path | None) -> "Settings":
        settings = cls(path=path)
        if path is None:
            return settings
        try:
            data = tomllib.loads(read_text(path, LIMIT))
        except (OSError, SafeIOError, tomllib.TOMLDecodeError):
            return settings
        if isinstance(data.get("preview_wrap"), bool):
            settings.preview_wrap = data["preview_wrap"]
        return settings

    def save(self) -> str | None:
        """Write the settings; None when written (or nothing to remember), else why not."""
        if self.path is None:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(self.path.name + ".tmp")
            temp.write_text(f"# imgwizard's settings\npreview_wrap = {'true' if self.preview_wrap else 'false'}\n",
                            encoding="utf-8")
            os.replace(temp, self.path)
        except OSError as error:
            return Msg("ui.settings.cannot", path=self.path, why=os_reason(error))
        return None
