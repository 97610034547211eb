"""Typing and pasting into a long list's filter at full speed while the highlight moves (issue 29, item 2.1).

The crash: a highlight event names an option by its index in the list as it was when the event was posted; a
filter typed or pasted right after shrank the list, and `box.choices[event.option_index]` ended the wizard with an
IndexError. Keys and pastes go straight to the driver's queue here (pilot.press waits for the app after each key,
which hides the race), for every list long enough to filter.
"""

from pathlib import Path

from textual import events

from screens.app import make_app
from screens.scenarios import LAPTOP
from screens.widgets import ChoiceList, FieldBox, StepPane
from tests.test_tui_crash import SIZE, burst, go_to_step, settle
from wizard import tree
from wizard.answers import FIELDS, applies
from wizard.session import Session

GIVEN = {"gpu.vendor": "nvidia", "gpu.pytorch": "2.5.1"}  # every list of the GPU step applies


def filtered_fields() -> list[str]:
    """The keys of every choice list that filters as you type, for GIVEN."""
    answers = Session(dict(GIVEN)).answers
    return [f.key for f in FIELDS if f.kind == "choice" and applies(f.key, answers)
            and len(f.choices_for(answers)) >= ChoiceList.FILTER_FROM]


def assert_alive(app, text: str) -> None:
    assert app.is_running and app.return_code is None and app.crash is None, (text, app.crash and app.crash.describe())


def paste(app, text: str) -> None:
    """A bracketed paste, as the terminal hands it over (queued behind the keys before it)."""
    event = events.Paste(text)
    event.set_sender(app)
    app._driver.send_message(event)


def test_the_list_that_filters_is_the_pytorch_one():
    assert filtered_fields() == ["gpu.pytorch"]  # a new long list joins the test below by itself


async def test_typing_and_pasting_into_every_filter_at_full_speed_keeps_the_wizard(tmp_path: Path):
    keys = filtered_fields()
    app = make_app(dict(GIVEN), host=LAPTOP, recovery_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        step = next(s.id for s in tree.STEPS if keys[0] in s.keys)
        await go_to_step(pilot, step)
        pane = app.screen.query_one(StepPane)
        for key in keys:
            box = next(b for b in pane.boxes() if b.field.key == key)
            ol = box.query_one(ChoiceList)
            pane.focus_key(key)
            await settle(pilot)
            assert app.focused is ol
            # (escape only while a filter is typed: on an empty one it is the wizard's Back)
            for text in ("zz", "2.1", "9", "2.5", "2.", "cu"):  # most leave fewer entries than the highlight's index
                burst(app, *(["escape"] if ol.filter_text else []), "end", "up", "up", "down")  # a lower entry
                burst(app, *text, "backspace", "end", "up")  # typed at once: each letter shrinks the list
                paste(app, text)  # and pasted: the filter ends shorter than the index of the highlights before it
                await pilot.press("f3")  # queued after the burst: once handled, so is every key before it
                await settle(pilot)
                assert_alive(app, text)
                assert app.session.step == step and app.focused is ol
                burst(app, "escape", "end", "2", "down")
                paste(app, "x\n.1")  # only the first line counts: "2x"
                await pilot.press("f3")
                await settle(pilot)
                assert_alive(app, text)
                assert ol.filter_text == "2x" and ol.option_count == 0
            await pilot.press("escape")
            await settle(pilot)
            # a sane highlight: inside the list shown, on one of the choices the box holds, and that is the answer
            assert ol.filter_text == ""
            assert ol.highlighted is not None and 0 <= ol.highlighted < ol.option_count
            ids = [o.id for o in ol.options]
            assert ids == [c.value or "__empty__" for c in box.choices]
            assert len(ids) == len(box.field.choices_for(app.session.answers))  # escape gave back the whole list
            assert ol.highlighted_option.id == (app.session.value(key) or "__empty__"), key
    assert list(tmp_path.iterdir()) == []  # no crash, no recovery file


async def test_a_paste_filters_a_long_list(tmp_path: Path):
    app = make_app(dict(GIVEN), host=LAPTOP, recovery_dirs=[tmp_path])
    async with app.run_test(size=SIZE) as pilot:
        await go_to_step(pilot, "gpu")
        pane = app.screen.query_one(StepPane)
        pane.focus_key("gpu.pytorch")
        await settle(pilot)
        app.post_message(events.Paste("2.5\nrm -rf /"))  # only the first line counts
        await settle(pilot)
        box = next(b for b in pane.query(FieldBox) if b.field.key == "gpu.pytorch")
        assert box.query_one(ChoiceList).filter_text == "2.5"
        assert box.choices and all("2.5" in c.value or "2.5" in c.label("en") for c in box.choices)
