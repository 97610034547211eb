"""The Footer's key descriptions in the user's language.

Every Binding's description in screens/ is an id of wizard.text's tables (`key.<description>`, the English
text); `in_lang(node, lang)` replaces the descriptions of a screen's or the app's bindings by that language's
entry (tests/test_text.py checks that every binding of every screen has one).
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding
from textual.dom import DOMNode

from wizard.text import EN, tr


def key_id(description: str) -> str:
    return f"key.{description}"


def in_lang(node: DOMNode, lang: str) -> None:
    """Describe `node`'s bindings in `lang` (from the English of its class's BINDINGS, so it can switch back)."""
    english = {(b.key, b.action): b.description for bs in type(node)._merged_bindings.key_to_bindings.values()
               for b in bs} if type(node)._merged_bindings else {}
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [_described(b, english.get((b.key, b.action), b.description), lang) for b in bindings]


def _described(binding: Binding, english: str, lang: str) -> Binding:
    if key_id(english) not in EN:
        return binding
    return dataclasses.replace(binding, description=tr(key_id(english), lang))
