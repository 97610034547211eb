"""`imgwizard bases check`: pull a pinned base (unless told not to), read its image config and run the fixed probe
(wizard/basefacts.py PROBE) in a container of it, then compare both with the bases.toml row.

The probe container: entrypoint /bin/sh, user 0, no network, auto-removed by the engine when it exits, killed
after `timeout` seconds. Everything the engine or the image says is made one safe line (outside_line) here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import docker.errors

from wizard.basefacts import PROBE, Difference, differences, parse_probe, probe_args, probe_problem
from wizard.engine.common import api_message, api_of, outside_line
from wizard.knowledge import Base

PROBE_SECONDS = 60.0
PROBE_LABEL = {"imgwizard.probe": "bases-check"}


@dataclass
class BaseReport:
    """The outcome for one image checked against one row: its differences, or why it could not be checked."""
    base: Base
    ref: str
    differences: list[Difference] = field(default_factory=list)
    problem: str = ""  # one safe line; "" when the check ran
    notes: list[str] = field(default_factory=list)  # safe lines worth saying that are not drift

    @property
    def ok(self) -> bool:
        return not self.problem and not self.differences


def check_base(client: Any, base: Base, ref: str, pull: bool = True, timeout: float = PROBE_SECONDS,
               say: Callable[[str], None] = lambda line: None) -> BaseReport:
    """Check the image `ref` against `base`'s facts. `pull`: pull it first (else it must be present); `say`
    hears progress lines (pulling...)."""
    report = BaseReport(base, ref)
    problem = probe_problem(base)
    if problem:
        report.problem = problem
        return report
    image = _image(client, ref, pull, report, say)
    if image is None:
        return report
    output, report.problem = run_probe(client, image.id, probe_args(base), timeout)
    if not report.problem:
        probe = parse_probe(output)
        if probe.complete:
            report.differences = differences(base, image.attrs.get("Config") or {}, probe)
        else:
            report.problem = "the probe stopped before its end: " + (outside_line(output[-300:]) or "no output")
    return report


def _image(client: Any, ref: str, pull: bool, report: BaseReport, say: Callable[[str], None]) -> Any:
    if pull:
        say(f"pulling {ref}")
        try:
            return client.images.pull(ref)
        except docker.errors.APIError as exc:
            report.problem = f"cannot pull: {api_message(exc)}"
            return None
        except (docker.errors.DockerException, OSError) as exc:
            report.problem = f"cannot pull: {outside_line(exc)}"
            return None
    names = [ref] + ([ref.split("@", 1)[0]] if "@" in ref else [])
    for name in names:
        try:
            image = client.images.get(name)
        except docker.errors.ImageNotFound:
            continue
        except (docker.errors.DockerException, OSError) as exc:
            report.problem = f"cannot read the image: {api_message(exc)}"
            return None
        if name != ref:
            report.notes.append(f"{name} is present without the recorded digest; checked by its tag")
        return image
    report.problem = "not present on the engine (--no-pull: pull it first, or run without --no-pull)"
    return None


def run_probe(client: Any, image_id: str, args: list[str], timeout: float) -> tuple[str, str]:
    """(stdout, "") of PROBE run with `args` in a container of `image_id`, or ("", why it did not run)."""
    api = api_of(client)
    try:
        cid = api.create_container(image_id, command=["-c", PROBE, "probe", *args], entrypoint=["/bin/sh"],
                                   user="0", network_disabled=True, labels=PROBE_LABEL,
                                   host_config=api.create_host_config(auto_remove=True))["Id"]
    except (docker.errors.DockerException, OSError) as exc:
        return "", f"cannot create the probe container: {api_message(exc)}"
    out: list[bytes] = []
    try:
        stream = api.attach(cid, stdout=True, stderr=True, stream=True, logs=True, demux=True)
        reader = threading.Thread(target=_drain, args=(stream, out), name="imgwizard-bases-probe", daemon=True)
        api.start(cid)
    except (docker.errors.DockerException, OSError) as exc:
        _remove(api, cid)  # never started: auto-remove does not apply
        return "", f"cannot run /bin/sh in the image: {api_message(exc)}"
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        _remove(api, cid)
        return "", f"the probe did not finish in {timeout:.0f} s"
    return b"".join(out).decode("utf-8", "replace"), ""


def _drain(stream: Any, out: list[bytes]) -> None:
    try:
        for stdout, _stderr in stream:
            if stdout:
                out.append(stdout)
    except (docker.errors.DockerException, OSError):
        pass  # the container went away: what came so far is kept, and the missing `end` says so


def _remove(api: Any, cid: str) -> None:
    try:
        api.remove_container(cid, force=True)
    except (docker.errors.DockerException, OSError):
        pass  # already removed by the engine (auto-remove)
