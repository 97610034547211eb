"""Bilingual texts: every user-facing string of the tree exists in English and Chinese."""

from __future__ import annotations

from typing import NamedTuple

LANGS = ("en", "zh")


class T(NamedTuple):
    en: str
    zh: str

    def __call__(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


def pick_lang(env: dict[str, str], override: str | None = None) -> str:
    """'zh' or 'en': the override if given, else from LANGUAGE / LC_ALL / LANG."""
    if override in LANGS:
        return override
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
