"""The user's own Python service (issue 30, part 1), without an engine: what the folder scan finds, the answers
and their refusals, the rendered layers (dependencies before code, the PyTorch build of the same decision as
gpu.pytorch), .dockerignore from .gitignore, and what `imgwizard check` looks at. tests/docker/test_python_service_engine.py
builds and reaches real services."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wizard import project
from wizard.engine.check import run_spec
from wizard.lint import is_failure, lint
from wizard.render import render
from wizard.scan import given, saves_here, scan
from wizard.session import Session
from wizard.text import Msg, in_lang
from wizard.tree import next_step
from wizard.validate import validate

FASTAPI_MAIN = "from fastapi import FastAPI\napp = FastAPI()\n"


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _found(folder: Path) -> dict:
    return given(scan(folder))


# ------------------------------------------------------------------ the folder scan

@pytest.mark.parametrize("files, command", [
    ({"requirements.txt": "fastapi==0.115.0\nuvicorn[standard]\n", "main.py": FASTAPI_MAIN},
     "uvicorn main:app --host 0.0.0.0 --port 31000"),
    ({"requirements.txt": "streamlit>=1.38\n", "app.py": "import streamlit as st\n"},
     "streamlit run app.py --server.port 31000 --server.address 0.0.0.0"),
    ({"requirements.txt": "Flask==3.0.3  # the web app\n", "app.py": "from flask import Flask\n"},
     "flask --app app run --host 0.0.0.0 --port 31000"),
    ({"requirements.txt": "gradio\n", "app.py": "import gradio as gr\n"}, "python app.py"),
    ({"app.py": "print('hello')\n"}, "python app.py"),
    ({"main.py": "from fastapi import FastAPI\n"}, "uvicorn main:app --host 0.0.0.0 --port 31000"),  # by its imports
    ({"requirements.txt": "fastapi\nflask\n", "app.py": "from flask import Flask\n", "main.py": FASTAPI_MAIN},
     "uvicorn main:app --host 0.0.0.0 --port 31000"),  # the entry file that imports the framework
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask>=3"]\n', "app.py": ""},
     "flask --app app run --host 0.0.0.0 --port 31000"),
])
def test_a_python_project_is_offered_as_the_app_with_its_frameworks_start_command(tmp_path, files, command):
    folder = _folder(tmp_path / "my-service", files)
    got = _found(folder)
    deps = next((n for n in ("requirements.txt", "pyproject.toml") if n in files), "")
    assert got == {"app.type": "web", "app.name": "python", "app.requirements": deps, "app.command": command,
                   "image.name": "my-service"}
    answers, problems = validate(got, folder)
    assert problems == []
    assert answers["app.port"] == 31000 and answers["user.root"] is False  # runs as app by default
    assert "app.auth" not in answers  # the service does its own authentication


def test_a_folder_with_no_python_project_is_not_offered_one(tmp_path):
    _folder(tmp_path, {"notes.txt": "x", "pyproject.toml": "[tool.black]\nline-length = 100\n", "lib.py": ""})
    assert "app.name" not in _found(tmp_path)


def test_the_python_service_goes_into_the_start_folder(tmp_path):
    folder = _folder(tmp_path, {"requirements.txt": "flask\n", "app.py": ""})
    session = Session(_found(folder), base_dir=folder, start=folder)
    assert session.problems == []
    why = saves_here(folder, session.answers, [n for n, _ in session.context.plan.user_files])
    assert why is not None and "requirements.txt" in why.en


@pytest.mark.parametrize("command, file", [
    ("uvicorn main:app --host 0.0.0.0 --port 31000", "main.py"), ("uvicorn api.server:app", "api/server.py"),
    ("flask --app app run --host 0.0.0.0 --port 31000", "app.py"), ("flask --app=web.app:create run", "web/app.py"),
    ("streamlit run dash.py --server.port 31000", "dash.py"), ("python app.py", "app.py"), ("gunicorn x", ""),
])
def test_the_file_a_start_command_runs(command, file):
    assert project.command_file(command) == file


def test_a_project_without_dependencies_still_goes_into_the_start_folder(tmp_path):
    folder = _folder(tmp_path, {"main.py": FASTAPI_MAIN})
    session = Session(_found(folder), base_dir=folder, start=folder)
    assert session.answers["app.requirements"] == "" and session.problems == []
    assert saves_here(folder, session.answers, [n for n, _ in session.context.plan.user_files]) is not None


def test_the_wizard_asks_the_dependency_file_the_command_and_the_port_on_the_app_step():
    a, _ = validate({"app.type": "web", "app.name": "python"})
    assert next_step("app", a) == "app_details"
    from wizard.tree import BY_ID
    assert [f.key for f in BY_ID["app_details"].fields(a)] == ["app.requirements", "app.command", "app.port"]


def test_torch_in_the_dependencies_is_found_with_its_pinned_release(tmp_path):
    folder = _folder(tmp_path, {"requirements.txt": "torch==2.5.1\ntorchvision\ngradio\n", "app.py": ""})
    assert _found(folder)["gpu.pytorch"] == "2.5.1"


# ------------------------------------------------------------------ the answers and their refusals

def _python(folder: Path, **more) -> tuple[dict, list]:
    given_ = {"app.type": "web", "app.name": "python", "image.name": "svc", **more}
    return validate(given_, folder)


@pytest.mark.parametrize("value", ["../requirements.txt", "/etc/requirements.txt", "setup.py", "req.txt",
                                   "requirements.txt\n", "requirements .txt", "x" * 300 + "/requirements.txt"])
def test_a_dependency_file_that_is_not_one_in_the_build_folder_is_refused_naming_the_key(tmp_path, value):
    _, problems = _python(tmp_path, **{"app.requirements": value})
    assert [k for k, _ in problems] == ["app.requirements"]


def test_a_command_with_a_control_character_or_too_long_is_refused_naming_the_key(tmp_path):
    for value in ("python app.py\x1b[2J", "python  app.py", "uvicorn main:app; rm -rf /", "a" * 1025):
        _, problems = _python(tmp_path, **{"app.command": value})
        assert [k for k, _ in problems] == ["app.command"], value


def test_a_command_port_that_differs_from_app_port_is_refused(tmp_path):
    _, problems = _python(tmp_path, **{"app.command": "uvicorn main:app --host 0.0.0.0 --port 8000"})
    assert [k for k, _ in problems] == ["app.command"] and "app.port is 31000" in problems[0][1]
    _, problems = _python(tmp_path, **{"app.command": "streamlit run app.py --server.port 8501", "app.port": 8501})
    assert problems == []


def test_an_image_name_whose_folder_imgwizard_fills_is_refused(tmp_path):
    _, problems = _python(tmp_path, **{"image.name": "team/venv"})
    assert [k for k, _ in problems] == ["image.name"] and "/opt/venv" in problems[0][1]


def test_a_pyproject_without_dependencies_is_refused(tmp_path):
    _folder(tmp_path, {"pyproject.toml": "[tool.ruff]\n"})
    _, problems = _python(tmp_path, **{"app.requirements": "pyproject.toml"})
    assert [k for k, _ in problems] == ["app.requirements"]


def test_torch_in_the_dependencies_needs_gpu_pytorch_and_its_pin(tmp_path):
    _folder(tmp_path, {"requirements.txt": "torch==2.5.1\nfastapi\n"})
    _, problems = _python(tmp_path)
    assert [k for k, _ in problems] == ["gpu.pytorch"] and "names torch" in problems[0][1]
    assert isinstance(problems[0][1], Msg) and "在 gpu.pytorch 中选择" in in_lang(problems[0][1], "zh")
    _, problems = _python(tmp_path, **{"gpu.pytorch": "2.4.0"})
    assert [k for k, _ in problems] == ["gpu.pytorch"] and "pins torch==2.5.1" in problems[0][1]
    _, problems = _python(tmp_path, **{"gpu.pytorch": "2.5.1"})
    assert problems == []


def test_torch_on_a_gpu_gets_the_same_refusals_as_the_pytorch_answer(tmp_path):
    _folder(tmp_path, {"requirements.txt": "torch\n"})
    _, problems = _python(tmp_path, **{"gpu.pytorch": "2.5.1", "gpu.vendor": "nvidia"})  # no driver known
    assert [k for k, _ in problems] == ["gpu.host_driver"]
    _, problems = _python(tmp_path, **{"gpu.pytorch": "2.5.1", "gpu.vendor": "nvidia", "gpu.host_driver": "470.82.01"})
    assert [k for k, _ in problems] == ["gpu.pytorch"] and "no CUDA build" in problems[0][1]


# ------------------------------------------------------------------ rendering

def _render(folder: Path, **more):
    answers, problems = _python(folder, **more)
    assert problems == []
    return render(answers, folder)


def _steps(dockerfile: str) -> list[str]:
    return [line for line in dockerfile.splitlines() if re.match(r"[A-Z]+ ", line)]


def test_the_dependencies_are_installed_before_the_code_is_copied(tmp_path):
    _folder(tmp_path, {"requirements.txt": "flask\n", "app.py": ""})
    ctx = _render(tmp_path, **{"app.command": "flask --app app run --host 0.0.0.0 --port 31000", "mirror.pip": "tuna"})
    steps = _steps(ctx.dockerfile)
    deps = steps.index("COPY requirements.txt /tmp/imgwizard-deps/requirements.txt")
    assert steps[deps + 1] == ("RUN pip install --no-cache-dir -r /tmp/imgwizard-deps/requirements.txt \\")
    code = steps.index("COPY --chown=app:app . /opt/svc")
    assert deps < code and steps[code + 1] == "WORKDIR /opt/svc"
    # after the code: only steps that take no time (a code-only change re-runs these)
    assert [s.split(" ")[0] for s in steps[code:]] == ["COPY", "WORKDIR", "ARG", "USER", "CMD", "LABEL"]
    assert 'CMD ["flask", "--app", "app", "run", "--host", "0.0.0.0", "--port", "31000"]' in steps
    assert "PIP_INDEX_URL=https://pypi.tuna.tsinghua.edu.cn/simple" in ctx.dockerfile  # the pip mirror
    assert "ENV PYTHONUNBUFFERED=1 GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=31000" in steps
    assert not [f for f in lint(ctx.dockerfile) if is_failure(f)]


def test_a_pyproject_installs_its_dependency_list_and_never_the_project(tmp_path):
    _folder(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask"]\n'})
    ctx = _render(tmp_path, **{"app.requirements": "pyproject.toml"})
    assert "COPY pyproject.toml /tmp/imgwizard-deps/pyproject.toml" in ctx.dockerfile
    assert "tomllib" in ctx.dockerfile and "pip install --no-cache-dir -r /tmp/imgwizard-deps/requirements.txt" \
        in ctx.dockerfile
    assert "pip install ." not in ctx.dockerfile


def test_no_dependency_file_copies_only_the_code(tmp_path):
    _folder(tmp_path, {"app.py": ""})
    ctx = _render(tmp_path, **{"app.requirements": ""})
    assert "imgwizard-deps" not in ctx.dockerfile and "COPY --chown=app:app . /opt/svc" in ctx.dockerfile


def test_as_root_the_code_is_root_s_and_no_user_is_made(tmp_path):
    ctx = _render(tmp_path, **{"user.root": True})
    assert "COPY . /opt/svc" in ctx.dockerfile and "useradd" not in ctx.dockerfile
    assert "\nUSER " not in ctx.dockerfile


def test_ssh_and_forwarding_work_as_for_other_apps(tmp_path):
    ctx = _render(tmp_path, **{"ssh.enabled": True, "ssh.authorized_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrd2Gp0"
                                                                          "VNOV4lu3VWrXfckJGj+eZh/NYaibUmBMekXc a@b",
                               "forward.enabled": True, "forward.listen": 31001, "forward.target": 8080})
    assert "imgwizard-entry.sh" in ctx.files and "sshd_config" in ctx.files
    assert "EXPOSE 22 31000 31001" in ctx.dockerfile
    # sshd keeps the container root; the service itself is dropped to app
    assert 'CMD ["setpriv", "--reuid=app", "--regid=app", "--init-groups", "--", "python", "app.py"]' in ctx.dockerfile
    assert "\nUSER " not in ctx.dockerfile


@pytest.mark.parametrize("host, variant", [("535.104.05", "cu121"), ("550.54.14", "cu124")])
def test_torch_in_the_dependencies_gets_the_cuda_build_for_the_driver_first(tmp_path, host, variant):
    _folder(tmp_path, {"requirements.txt": "torch==2.5.1\ntorchvision\nfastapi\n"})
    ctx = _render(tmp_path, **{"gpu.vendor": "nvidia", "gpu.host_driver": host, "gpu.pytorch": "2.5.1"})
    text = ctx.dockerfile
    torch = text.index(f"--index-url https://download.pytorch.org/whl/{variant}")
    deps = text.index("COPY requirements.txt")
    assert torch < deps  # the CUDA build first; the dependency install is held to it
    assert "printf '%s\\n' torch==2.5.1 torchvision==0.20.1 torchaudio==2.5.1 > /tmp/imgwizard-deps/torch.txt" in text
    assert "pip install --no-cache-dir -c /tmp/imgwizard-deps/torch.txt -r" in text
    assert "--gpus all" in ctx.files["run.sh"].text


def test_torch_without_a_gpu_is_the_cpu_build_said_out_loud(tmp_path):
    _folder(tmp_path, {"requirements.txt": "torch==2.5.1\n"})
    ctx = _render(tmp_path, **{"gpu.pytorch": "2.5.1"})
    assert "https://download.pytorch.org/whl/cpu" in ctx.dockerfile
    assert "PyTorch 2.5.1 (cpu)" in ctx.dockerfile


def test_a_mirror_pytorch_index_is_used_for_the_dependencies_torch(tmp_path):
    _folder(tmp_path, {"requirements.txt": "torch\n"})
    ctx = _render(tmp_path, **{"gpu.vendor": "nvidia", "gpu.host_driver": "550.54.14", "gpu.pytorch": "2.5.1",
                               "mirror.pytorch": "https://mirror.example.com/pytorch/whl"})
    assert "--index-url https://mirror.example.com/pytorch/whl/cu124" in ctx.dockerfile


# ------------------------------------------------------------------ .dockerignore

def test_dockerignore_leaves_out_environments_caches_data_and_the_gitignore_patterns(tmp_path):
    _folder(tmp_path, {"requirements.txt": "flask\n", ".gitignore": (
        "# build output\n/dist/\n*.log\nsecrets/\n!keep.log\nweird\\ name\n[ab].txt\nmy file\n../up\n"
        "*.txt\n" + "x" * 300 + "\n")})
    ignore = _render(tmp_path).files[".dockerignore"].text.splitlines()
    for line in (".git", ".venv", "venv", ".env", "**/__pycache__", ".cache", "data", "run.sh", "imgwizard.toml"):
        assert line in ignore
    assert {"dist", "*.log", "**/*.log", "secrets", "**/secrets", "*.txt", "**/*.txt"} <= set(ignore)
    assert not [line for line in ignore if line.startswith(("!keep", "weird", "[ab]", "my file", "../", "xxx"))]
    assert ignore[-1] == "!requirements.txt"  # a gitignored dependency file is still sent
    assert "*" not in ignore


def test_a_gitignore_that_cannot_be_read_gives_no_patterns(tmp_path):
    (tmp_path / ".gitignore").write_bytes(b"\xff\xfe bad")
    assert project.ignore_patterns(tmp_path) == []
    (tmp_path / ".gitignore").unlink()
    os.symlink("/etc/passwd", tmp_path / ".gitignore")
    assert "root" not in " ".join(project.ignore_patterns(tmp_path))
    assert project.ignore_patterns(tmp_path / "missing") == []


def test_other_apps_keep_the_allow_list_dockerignore(tmp_path):
    answers, _ = validate({"app.type": "web", "app.name": "code-server"})
    assert render(answers, tmp_path).files[".dockerignore"].text.splitlines()[1] == "*"


# ------------------------------------------------------------------ imgwizard check

def test_check_knows_the_service_answers_http_on_its_port(tmp_path):
    ctx = _render(tmp_path, **{"app.port": 8501, "app.command": "streamlit run app.py --server.port 8501"})
    spec = run_spec(ctx.answers, ctx.plan)
    assert [(s.kind, s.port) for s in spec.services] == [("http", 8501)]


# ------------------------------------------------------------------ project.py on hostile text

def test_requirements_lines_are_read_for_names_only(tmp_path):
    _folder(tmp_path, {"requirements.txt": (
        "-r other.txt\n-e .\n--index-url https://x\n# torch\nTorch_Vision == 0.20.1 ; python_version > '3'\n"
        "numpy>=1.26\nfastapi[all]==0.115.0\n")})
    assert project.requirements(tmp_path, "requirements.txt") == {
        "torch-vision": "0.20.1", "numpy": "", "fastapi": "0.115.0"}
    assert project.requirements(tmp_path, "../requirements.txt") == {}
    (tmp_path / "big.txt").write_text("a\n" * (project.MAX_FILE))
    assert project.requirements(tmp_path, "big.txt") == {}
