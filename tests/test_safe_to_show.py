"""wizard.text.safe_to_show: the one function text from outside goes through before it reaches a terminal, a log
or a widget (docs/security.md). Rich is the reference for the markup half: what it returns renders, through
Rich's own markup parser, as the text it was given, with every control and bidi character shown escaped."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.markup import escape, render

from wizard.text import safe_to_show

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HOSTILE = st.text(alphabet=st.one_of(st.sampled_from(list("[]/\\@#ab =:;\n\r\t\x1b\x07\x9b\x9d\u202e\u2066\x00\x7f")),
                                     st.characters()), max_size=80)


def test_terminal_escapes_are_shown_not_sent():
    osc52 = "team\x1b]52;c;aGVsbG8=\x07app"
    assert safe_to_show(osc52) == "team\\x1b]52;c;aGVsbG8=\\x07app"
    assert safe_to_show("\x1b[2J\x1b]0;owned\x07") == "\\x1b[2J\\x1b]0;owned\\x07"
    assert safe_to_show("\x9b31m\r\u202eevil") == "\\x9b31m\\x0d\\u202eevil"
    assert safe_to_show("two\nlines") == "two\\x0alines"
    assert safe_to_show("two\nlines\r", lines=True) == "two\nlines\\x0d"


def test_rich_markup_shows_as_written():
    assert safe_to_show("[/]") == escape("[/]") == "\\[/]"
    assert safe_to_show("[link=https://x]y[/link]") == escape("[link=https://x]y[/link]")
    assert render(safe_to_show("a [bold]b[/bold] \\[x] c")).plain == "a [bold]b[/bold] \\[x] c"


@settings(max_examples=300)
@given(HOSTILE)
def test_no_control_or_bidi_character_gets_through(text):
    shown = safe_to_show(text)
    assert UNSAFE.search(shown) is None
    assert "\n" not in shown
    assert UNSAFE.search(safe_to_show(text, lines=True).replace("\n", "")) is None


@settings(max_examples=300)
@given(HOSTILE)
def test_markup_is_escaped_as_rich_escapes_it(text):
    plain = UNSAFE.sub("", text)
    assert safe_to_show(plain) == escape(plain)
    if "\\" not in plain:  # Rich reads a backslash before [ as an escape of its own, and doubles a final one
        assert render(safe_to_show(plain)).plain == plain


def test_without_markup_only_the_controls_are_escaped_and_again_changes_nothing():
    """markup=False (a print, a log file, a message a screen escapes again where it reads markup): `[notice]`
    stays as written; the control half is idempotent, so text made safe at its source can go through again."""
    once = safe_to_show("\x1b[31m[notice] pip\u202e", markup=False)
    assert once == "\\x1b[31m[notice] pip\\u202e"
    assert safe_to_show(once, markup=False) == once
    assert safe_to_show(once) == escape(once)
