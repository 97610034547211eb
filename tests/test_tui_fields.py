"""Pilot tests of the lists and fields (issue 14 item 5): fast typing after Ctrl+U never loses text (the field
and its validation always agree), type-to-filter in long lists, no silent pick in a Yes/No list, Home/End in
the steps list, the PyTorch field's placeholder."""

from textual import events
from textual.widgets import Input

from screens.app import make_app
from screens.scenarios import GPU_SERVER, LAPTOP

SIZE = (160, 50)


async def burst(pilot, keys) -> None:
    """Send every key at once, as a fast typist or a paste over SSH does: the app handles them after one
    another without a pause between them (Pilot.press waits for idle after each key)."""
    app = pilot.app
    for key in keys:
        char = key if len(key) == 1 else None
        if key == "underscore":
            char = "_"
        app._driver.send_message(events.Key(key, char))
    await pilot.pause()
    await pilot.pause()


def as_keys(text: str) -> list[str]:
    return ["underscore" if c == "_" else c for c in text]


async def test_fast_typing_after_ctrl_u_the_field_and_the_validation_agree():
    app = make_app(host=LAPTOP)
    async with app.run_test(size=SIZE) as pilot:
        app.session.go_to("image")
        await app.screen.show_step()
        field = app.screen.query_one("#input-image-name", Input)
        field.focus()
        # the same text again (the pane once compared with a session not yet updated and dropped it), a bad one,
        # a good one, ten rounds each
        for text in ["myapp", "My_App", "web2", "myapp", "ab", "My_App", "myapp", "x_y", "myapp", "tool"] * 2:
            await burst(pilot, ["ctrl+u", *as_keys(text)])
            assert field.value == text
            assert app.session.given["image.name"] == text, (text, app.session.given["image.name"])
            error = str(app.screen.query_one("#box-image-name .field-error").render())
            if text == "My_App":
                assert repr(text) in error, error
            else:
                assert error == "", error


async def test_fast_arrows_in_a_list_end_on_the_highlighted_answer():
    app = make_app(host=LAPTOP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        choices = app.screen.query_one("#input-app-type")
        for keys in (["up", "down"], ["up", "up", "down", "down"], ["up", "up", "up", "down"]):
            await burst(pilot, keys)
            shown = app.screen.query_one("#box-app-type").choices[choices.highlighted].value
            assert app.session.answers["app.type"] == shown, keys


async def gpu_step(pilot):
    app = pilot.app
    app.session.go_to("gpu")
    await app.screen.show_step()
    await pilot.pause()


async def test_type_to_filter_a_long_list():
    app = make_app(host=GPU_SERVER, given={"app.type": "web"})
    async with app.run_test(size=SIZE) as pilot:
        await gpu_step(pilot)
        releases = app.screen.query_one("#input-gpu-pytorch")
        box = app.screen.query_one("#box-gpu-pytorch")
        every = releases.option_count
        assert every >= 8
        releases.focus()
        await pilot.press("2", ".", "5")
        await pilot.pause()
        shown = [c.value for c in box.choices]
        assert shown and all("2.5" in v for v in shown) and len(shown) < every
        assert app.session.answers["gpu.pytorch"] == shown[releases.highlighted]  # the highlighted one is the answer
        line = str(box.query_one(".choice-filter").render())
        assert f"Filter: 2.5 — {len(shown)} of {every}" in line
        await pilot.press("x")
        await pilot.pause()
        assert "nothing matches" in str(box.query_one(".choice-filter").render())
        assert app.session.answers["gpu.pytorch"] == shown[0]  # no match: the answer stays
        await pilot.press("backspace")
        await pilot.pause()
        assert len(box.choices) == len(shown)
        await pilot.press("escape")  # clears the filter, stays on the step
        await pilot.pause()
        assert releases.option_count == every and app.session.step == "gpu"
        assert str(box.query_one(".choice-filter").render()) == ""


async def test_a_letter_in_a_yes_no_list_picks_nothing_and_says_how_to_choose():
    app = make_app(host=LAPTOP, given={"app.type": "web", "app.name": "jupyter"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#input-app-auth").focus()
        for letter in ("n", "y", "n"):
            await pilot.press(letter)
            await pilot.pause()
            assert app.session.answers["app.auth"] is True
        line = str(app.screen.query_one("#box-app-auth .choice-filter").render())
        assert "typed letters pick nothing" in line


async def test_home_and_end_in_the_steps_list():
    app = make_app(host=LAPTOP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2", "end")
        await pilot.pause()
        steps = app.screen.query_one("#steps")
        assert steps.highlighted_child.id == "step-image"
        await pilot.press("home")
        await pilot.pause()
        assert steps.highlighted_child.id == "step-app"
        await pilot.press("end", "enter")
        await pilot.pause()
        assert app.session.step == "image"


async def test_the_pytorch_field_placeholder_asks_for_a_release():
    app = make_app(host=GPU_SERVER, given={"app.type": "web"})
    async with app.run_test(size=SIZE) as pilot:
        await gpu_step(pilot)
        assert app.screen.query_one("#free-gpu-pytorch", Input).placeholder == "or type another release, e.g. 2.5.1"
        app.session.go_to("mirrors")
        await app.screen.show_step()
        await pilot.pause()
        assert "mirror URL" in app.screen.query_one("#free-mirror-apt", Input).placeholder
