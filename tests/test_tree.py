"""The decision tree: which steps apply, and next/back over them."""

from __future__ import annotations

from wizard.answers import BY_KEY, resolve
from wizard.tree import BY_ID, STEPS, applicable, next_step, prev_step, step_of


def ids(given):
    return [s.id for s in applicable(resolve(given)[0])]


def test_every_field_is_asked_in_exactly_one_step():
    asked = [k for s in STEPS for k in s.keys]
    assert sorted(asked) == sorted(BY_KEY)


def test_routes_for_the_main_scenarios():
    assert ids({}) == ["app", "os", "mirrors", "locale", "packages", "gpu", "ssh", "forward", "user", "image"]
    assert ids({"app.type": "desktop"}) == ["app", "desktop", "app_details", "os", "mirrors", "locale", "packages",
                                           "gpu", "ssh", "forward", "user", "image"]
    assert ids({"app.type": "web", "app.name": "jupyter"})[:3] == ["app", "app_details", "os"]
    assert ids({"app.type": "binary"}) == ["app", "app_details", "os", "image"]  # scratch: no RUN at all


def test_next_and_back_skip_steps_that_do_not_apply():
    a = resolve({})[0]
    assert next_step(None, a) == "app"
    assert next_step("app", a) == "os"  # a shell has no desktop or app details
    assert prev_step("os", a) == "app"
    assert next_step("image", a) is None and prev_step("app", a) is None
    d = resolve({"app.type": "desktop"})[0]
    assert next_step("app", d) == "desktop" and prev_step("os", d) == "app_details"


def test_step_fields_follow_the_answers():
    a = resolve({"ssh.enabled": True, "ssh.auth": "password"})[0]
    assert [f.key for f in BY_ID["ssh"].fields(a)] == ["ssh.enabled", "ssh.auth", "ssh.port"]
    assert step_of("gpu.cuda") == "gpu"


def test_the_base_release_is_asked_next_to_the_base_image_for_third_party_desktops_only():
    assert BY_ID["os"].keys[-2:] == ("os.base_image", "os.base_release") and step_of("os.base_release") == "os"
    for engine, asked in (("novnc", True), ("kasm", True), ("kasmweb", True), ("builtin", False)):
        a = resolve({"app.type": "desktop", "desktop.engine": engine, "os.family": "debian", "os.version": "12"})[0]
        assert ("os.base_release" in [f.key for f in BY_ID["os"].fields(a)]) is asked, engine
    assert "os.base_release" not in [f.key for f in BY_ID["os"].fields(resolve({})[0])]  # a plain shell image
