"""Where the bytes go (wizard/engine/layers.py) and transfer progress (wizard/engine/transfer.py), without an engine.

tests/fixtures/history_reproduce.json is the history the engine (Docker 20.10, legacy builder) gave for the
image tests/docker/test_reproduce.py builds, with its Dockerfile beside it; the real-engine test checks the
same view through `imgwizard layers`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard.engine import layers, transfer

FIXTURES = Path(__file__).parent / "fixtures"
HISTORY = json.loads((FIXTURES / "history_reproduce.json").read_text())
DOCKERFILE = (FIXTURES / "history_reproduce.Dockerfile").read_text()


def test_each_instruction_of_the_last_stage_has_its_section():
    stage = layers.final_stage(DOCKERFILE)
    assert [i.keyword for i in stage[:3]] == ["ARG", "COPY", "ENV"]
    assert stage[0].step == "base image"
    assert {i.step for i in stage if i.keyword == "RUN"} >= {"system packages", "Python runtime", "pip packages"}
    assert stage[-1].keyword == "LABEL" and stage[-1].step == "labels"
    assert "\\" not in stage[3].text  # continued lines are joined


def test_only_the_last_stage_counts():
    text = "# --- unpack: the archive\nFROM debian AS unpack\nRUN tar xf a.tgz\n\n# --- base image: x\nFROM x\n" \
           "# --- app: y\nCOPY --from=unpack /opt /opt\n"
    assert layers.final_stage(text) == [layers.Instruction("COPY", "COPY --from=unpack /opt /opt", "app")]


@pytest.mark.parametrize("created_by, keyword", [
    ('/bin/sh -c #(nop)  ENV PATH=/opt/venv/bin:$PATH', "ENV"),
    ("/bin/sh -c #(nop) COPY file:0a1b in /usr/local/share/ca-certificates/x.crt ", "COPY"),
    ("|1 DEBIAN_FRONTEND=noninteractive /bin/sh -c apt-get update", "RUN"),
    ("/bin/sh -c python3 -m venv /opt/venv", "RUN"),
    ("RUN /bin/sh -c pip install six # buildkit", "RUN"),
    ("ENV A=b", "ENV"),
    ("", "RUN"),
])
def test_history_keyword(created_by, keyword):
    assert layers.history_keyword(created_by) == keyword


def test_the_view_labels_layers_largest_first_with_the_base_share():
    view = layers.layer_view(HISTORY, DOCKERFILE, "debian:bookworm-slim")
    sizes = [r.size for r in view.rows]
    assert sizes == sorted(sizes, reverse=True)
    assert view.total == sum(h["Size"] for h in HISTORY)
    base = next(r for r in view.rows if r.step == layers.BASE)
    assert base.instruction == "debian:bookworm-slim" and base.size == view.base
    # the base is every entry older than the Dockerfile's first instruction (ARG DEBIAN_FRONTEND)
    first = next(i for i, h in enumerate(HISTORY) if "ARG DEBIAN_FRONTEND" in h["CreatedBy"])
    assert view.base == sum(h["Size"] for h in HISTORY[first + 1:]) > 0
    steps = {r.step for r in view.rows}
    assert {"system packages", "Python runtime", "pip packages"} <= steps and "" not in steps
    assert abs(sum(r.share for r in view.rows) - 1) < 1e-9
    assert view.empty_steps == sum(1 for h in HISTORY[:first + 1] if not h["Size"])


def test_without_a_dockerfile_the_sizes_are_shown_with_the_commands():
    view = layers.layer_view(HISTORY)
    assert view.base is None and all(r.step == "" for r in view.rows)
    assert any("apt-get update" in r.instruction for r in view.rows)


def test_a_history_from_another_dockerfile_leaves_the_unmatched_entries_to_the_base():
    view = layers.layer_view(HISTORY, "FROM x\nWORKDIR /w\n")
    assert view.base == view.total  # nothing matched: every byte is the base's


def test_lines_draw_bars_against_the_largest_layer():
    view = layers.layer_view(HISTORY, DOCKERFILE, "debian:bookworm-slim")
    out = layers.lines(view, width=20)
    assert out[0].count("█") == 20 and len(out) == len(view.rows) + 1
    assert all(line.count("█") + line.count("·") == 20 for line in out[:-1])
    assert out[-1].endswith(f"{view.empty_steps} steps added no files")


# ------------------------------------------------------------------ transfer

@pytest.mark.parametrize("done, total, elapsed, left", [
    (0, 100, 1.0, None), (50, 100, 10.0, 10.0), (25, 100, 5.0, 15.0), (100, 100, 9.0, None), (120, 100, 9.0, None),
])
def test_time_left_at_the_average_rate(done, total, elapsed, left):
    assert transfer.time_left(done, total, elapsed) == left


def test_progress_text_stops_at_99_percent_until_the_end():
    assert transfer.progress_text("reading", "a.tar", 2**20, 0, 1.0) == "reading a.tar: 1.0 MiB"
    assert transfer.progress_text("writing", "a.tar", 3 * 2**20, 2**22, 3.0) == \
        "writing a.tar: 3.0 MiB of about 4.0 MiB (75%), 0:01 left"
    assert "(99%)" in transfer.progress_text("writing", "a.tar", 2**22 + 5, 2**22, 3.0)
