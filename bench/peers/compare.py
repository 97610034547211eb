"""imgwizard against neurodocker and hpccm on the same choices (issue 13; bench/peers/choices.py), on the real
engine with docker-py's legacy builder. Called by `bench/run.py --peers`.

For each run (at least 2), each scenario, each tool in an order that rotates from run to run (interleaved, so a
busy moment of the shared machine does not fall on one tool only): a cold build (nocache). The first run also
checks each image works (sshd key login; zh_CN and the time zone in the SSH session; JupyterLab answering on
31000 with its token and refusing without it; `java -version` and JAVA_HOME in the SSH session) and measures
the step re-runs of a pip-only change (S2) and of a start-command-only change (S1). A tool's figures count only
when its check passed. Each tool's Dockerfile is generated at run time by the installed peer version.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from choices import IMGWIZARD, PEERS  # noqa: E402

TOOLS = ("imgwizard", "neurodocker", "hpccm")
TOKEN = "bench-token-0123456789"
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
            "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-F", "/dev/null"]
# The changes whose step re-runs are counted: (scenario, what, imgwizard's edit, the peers' edit)
PIP_CHANGE = ("S2", "pip-only change: six -> six humanize")
CMD_CHANGE = ("S1", "start-command-only change")


@dataclass
class Figures:
    tool: str
    scenario: str
    cold: list[float] = field(default_factory=list)
    steps: int = 0
    size_added: int = 0
    check: str = "not run"  # "ok" or what failed
    rebuilds: dict[str, tuple[int, int, float]] = field(default_factory=dict)  # what -> (re-run, of steps, s)
    hadolint: list[str] = field(default_factory=list)


def tool_bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed: pip install -e '.[bench]'")
    return found


def peer_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {"neurodocker": version("neurodocker"), "hpccm": version("hpccm")}


def peer_dockerfile(tool: str, scenario: str) -> str:
    """The peer's Dockerfile for the scenario, generated now by the installed version."""
    if tool == "hpccm":
        argv = [tool_bin("hpccm"), "--recipe", "hpccm_recipe.py", "--userarg", f"scenario={scenario}",
                "--format", "docker"]
    else:
        from neurodocker_args import argv as nd_argv

        argv = [tool_bin("neurodocker"), "generate", "docker", *nd_argv(scenario)]
    return subprocess.run(argv, cwd=HERE, capture_output=True, text=True, check=True).stdout


def make_context(tool: str, scenario: str, work: Path, key: Path, ca: str, render_into) -> Path:
    folder = work / scenario / tool
    ctx = folder / "context"
    ctx.mkdir(parents=True)
    if tool == "imgwizard":
        answers = folder / "answers.toml"
        answers.write_text(IMGWIZARD[scenario].format(key=f"{key}.pub", ca=ca))
        render_into(answers, ctx)
        return ctx
    (ctx / "Dockerfile").write_text(peer_dockerfile(tool, scenario))
    shutil.copyfile(f"{key}.pub", ctx / "authorized_keys")
    shutil.copyfile(HERE / "files" / "peer-start.sh", ctx / "peer-start.sh")
    shutil.copyfile(ca, ctx / "extra-ca.crt")
    return ctx


def edit(ctx: Path, old: str, new: str) -> None:
    path = ctx / "Dockerfile"
    text = path.read_text()
    if old not in text:
        raise RuntimeError(f"{ctx}: {old!r} is not in the Dockerfile")
    path.write_text(text.replace(old, new, 1))


def apply_change(tool: str, what: str, ctx: Path, render_into) -> None:
    if what == PIP_CHANGE[1] and tool == "imgwizard":
        answers = ctx.parent / "answers.toml"
        answers.write_text(answers.read_text().replace('pip = ["six"]', 'pip = ["six", "humanize"]'))
        render_into(answers, ctx)
    elif what == PIP_CHANGE[1]:
        edit(ctx, "pip install --no-cache-dir six", "pip install --no-cache-dir six humanize")
    elif tool == "imgwizard":
        edit(ctx, 'CMD ["/usr/sbin/sshd", "-D", "-e"]', 'CMD ["/usr/sbin/sshd", "-D", "-e", "-o", "LogLevel=VERBOSE"]')
    else:
        edit(ctx, '"sleep", "infinity"]', '"sleep", "864000"]')


# ------------------------------------------------------------------ the functional check


def _port(container, port: int) -> int:
    for _ in range(50):
        container.reload()
        bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{port}/tcp")
        if bindings:
            return int(bindings[0]["HostPort"])
        time.sleep(0.2)
    raise RuntimeError(f"port {port} not published")


def _until(probe, container, seconds: float) -> str:
    deadline, last = time.monotonic() + seconds, "no answer"
    while time.monotonic() < deadline:
        container.reload()
        if container.status == "exited":
            return f"exited: {container.logs().decode()[-300:]}"
        try:
            if probe():
                return "ok"
        except (OSError, urllib.error.URLError) as e:
            last = str(e)
        time.sleep(0.5)
    return f"timed out: {last}"


def _banner(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        return s.recv(64).startswith(b"SSH-2.0")


def _ssh(port: int, key: Path, command: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_"))}  # nothing sent by SendEnv
    r = subprocess.run(["ssh", *SSH_OPTS, "-i", str(key), "-p", str(port), "root@127.0.0.1", command],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=60)
    return r.stdout + r.stderr


def _status(port: int, token: str | None) -> int:
    url = f"http://127.0.0.1:{port}/api/status" + (f"?token={token}" if token else "")
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as e:
        return e.code


def check(image: str, scenario: str, key: Path) -> str:
    """'ok', or what did not work: the same checks for the three tools, from outside (ssh, http)."""
    import docker

    ports = [22, 31000] if scenario == "S2" else [22]
    c = docker.from_env().containers.run(image, detach=True, init=True, environment={"JUPYTER_TOKEN": TOKEN},
                                         ports={f"{p}/tcp": ("127.0.0.1", None) for p in ports})
    try:
        ssh_port = _port(c, 22)
        state = _until(lambda: _banner(ssh_port), c, 60)
        if state != "ok":
            return f"sshd: {state}"
        out = _ssh(ssh_port, key, 'echo "login=$(id -un)"; locale; echo "zone=$(date +%Z)"; '
                                   'java -version 2>&1 | head -1; echo "java_home=$JAVA_HOME"')
        problems = [what for what, ok in (
            ("key login", "login=root" in out), ("zh_CN in the SSH session", "LANG=zh_CN.UTF-8" in out),
            ("Asia/Shanghai in the SSH session", "zone=CST" in out),
            ("java -version over SSH", scenario != "S3" or 'version "17' in out),
            ("JAVA_HOME over SSH", scenario != "S3" or "java_home=/usr/lib/jvm/java-17" in out)) if not ok]
        if problems:
            return ", ".join(problems) + f" (session said: {out.strip()[-300:]!r})"
        if scenario == "S2":
            web = _port(c, 31000)
            state = _until(lambda: _status(web, TOKEN) == 200, c, 120)
            if state != "ok":
                return f"JupyterLab on 31000: {state}"
            if _status(web, None) != 403:
                return "JupyterLab answers without its token"
        return "ok"
    finally:
        c.remove(force=True)


# ------------------------------------------------------------------ hadolint


def hadolint(dockerfile: str) -> list[str]:
    """hadolint's findings (default rules, no project config) as 'DL3008 warning' items."""
    with tempfile.TemporaryDirectory() as empty:  # no .hadolint.yaml picked up from the working folder
        proc = subprocess.run([tool_bin("hadolint"), "--no-fail", "-f", "json", "-"], input=dockerfile,
                              capture_output=True, text=True, cwd=empty)
    return [f"{f['code']} {f['level']}" for f in json.loads(proc.stdout or "[]")]


# ------------------------------------------------------------------ the runs


def run_peers(scenarios: list[str], runs: int, work: Path, build, render_into, base_size: int, api,
              offset: int = 0) -> int:
    key = work / "peer_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench-peers", "-f", str(key)], check=True)
    ca = "/etc/ssl/certs/ca-certificates.crt"
    log = work / "peers-build.log"
    figures = {(t, s): Figures(t, s) for s in scenarios for t in TOOLS}
    print(f"peers: {', '.join(f'{k} {v}' for k, v in peer_versions().items())}; {runs} interleaved runs", flush=True)
    status = 1
    for r in range(runs):
        for s in scenarios:
            turn = (r + offset) % 3  # --offset: another invocation continues the rotation
            order = TOOLS[turn:] + TOOLS[:turn]
            for tool in order:
                _one(figures[(tool, s)], r, work / f"run{r}", key, ca, log, build, render_into, base_size, api)
        print(f"\n===== after run {r + 1} of {runs} (load {'/'.join(f'{x:.1f}' for x in os.getloadavg())})",
              flush=True)
        status = report(figures, scenarios)  # printed after every run: a long run still leaves its figures
    return status


def _one(f: Figures, r: int, work: Path, key: Path, ca: str, log: Path, build, render_into, base_size: int,
         api) -> None:
    ctx = make_context(f.tool, f.scenario, work, key, ca, render_into)
    tag = f"imgwizard-bench/peers-{f.scenario.lower()}-{f.tool}:r{r}"
    ids = []
    try:
        print(f"  run {r + 1} {f.scenario} {f.tool}: cold build ...", end="", flush=True)
        cold = build(api, ctx, tag, nocache=True, log=log)
        ids.append(cold.image_id)
        f.cold.append(cold.seconds)
        f.steps = cold.steps
        f.size_added = api.inspect_image(cold.image_id)["Size"] - base_size
        print(f" {cold.seconds:.1f} s, {cold.steps} steps, +{f.size_added / 1e6:.1f} MB", end="", flush=True)
        if r == 0:
            f.hadolint = hadolint((ctx / "Dockerfile").read_text())
            f.check = check(cold.image_id, f.scenario, key)
            print(f", check: {f.check}", end="", flush=True)
            for scenario, what in (PIP_CHANGE, CMD_CHANGE):
                if scenario == f.scenario:
                    apply_change(f.tool, what, ctx, render_into)
                    again = build(api, ctx, tag, nocache=False, log=log)
                    ids.append(again.image_id)
                    rerun = again.steps - again.cached_steps - 1  # FROM is never "Using cache"
                    f.rebuilds[what] = (rerun, again.steps, again.seconds)
                    print(f", {what}: {rerun} of {again.steps} steps re-run", end="", flush=True)
        print(flush=True)
    finally:
        for image_id in reversed(ids):
            try:
                api.remove_image(image_id, force=True)
            except Exception:  # noqa: BLE001 - already gone
                pass


def _ratio(w: float, p: float) -> str:
    return f"{w / p:.2f}" if p else "n/a"


def report(figures: dict[tuple[str, str], Figures], scenarios: list[str]) -> int:
    from report import table  # bench/report.py's table

    rows, goals = [], []
    for s in scenarios:
        w, n, h = (figures[(t, s)] for t in TOOLS)
        cold = {f.tool: min(f.cold) for f in (w, n, h)}
        rows.append([s, _ratio(w.size_added, n.size_added), _ratio(w.size_added, h.size_added),
                     _ratio(cold["imgwizard"], cold["neurodocker"]), _ratio(cold["imgwizard"], cold["hpccm"]),
                     f"{w.steps} / {n.steps} / {h.steps}",
                     " / ".join(f"{f.size_added / 1e6:.1f}" for f in (w, n, h)),
                     " / ".join(f"{cold[t]:.1f}" for t in TOOLS),
                     " / ".join(f.check if f.check != "ok" else "ok" for f in (w, n, h))])
        all_ok = all(f.check == "ok" for f in (w, n, h))
        goals.append((f"{s}: size added <= the smaller peer's", f"{w.size_added / 1e6:.1f} MB vs "
                       f"{min(n.size_added, h.size_added) / 1e6:.1f} MB",
                       w.size_added <= min(n.size_added, h.size_added) if all_ok else None))
        goals.append((f"{s}: cold build <= the faster peer's (min of runs)",
                       f"{cold['imgwizard']:.1f} s vs {min(cold['neurodocker'], cold['hpccm']):.1f} s",
                       cold["imgwizard"] <= min(cold["neurodocker"], cold["hpccm"]) if all_ok else None))
    print("\nimgwizard against the peers (size and cold build: imgwizard / peer; cold build: minimum of the runs)\n")
    print(table(rows, ["scenario", "size / neurodocker", "size / hpccm", "cold / neurodocker", "cold / hpccm",
                       "steps (imgwizard / neurodocker / hpccm)", "MB added (i / n / h)", "cold s (i / n / h)",
                       "functional check (i / n / h)"]))
    rebuild_rows = []
    for s, what, limit in ((*PIP_CHANGE, 5), (*CMD_CHANGE, 2)):
        if s not in scenarios:
            continue
        cells = [figures[(t, s)].rebuilds.get(what) for t in TOOLS]
        rebuild_rows.append([s, what] + [f"{c[0]} of {c[1]} ({c[2]:.1f} s)" if c else "n/a" for c in cells])
        if cells[0]:
            goals.append((f"{s}: {what} re-runs <= {limit} steps", str(cells[0][0]), cells[0][0] <= limit))
    if rebuild_rows:
        print("\nSteps re-run after a change (FROM not counted; seconds of that rebuild)\n")
        print(table(rebuild_rows, ["scenario", "change", "imgwizard", "neurodocker", "hpccm"]))
    lint_rows = []
    for s in scenarios:
        for t in TOOLS:
            found = figures[(t, s)].hadolint
            counts = {code: found.count(code) for code in dict.fromkeys(found)}
            lint_rows.append([s, t, str(len(found)), ", ".join(f"{c} x{k}" if k > 1 else c for c, k in counts.items())
                              or "none"])
    print("\nhadolint (default rules, no project config) on each generated Dockerfile\n")
    print(table(lint_rows, ["scenario", "tool", "findings", "rules"]))
    print("\nPeer goals\n")
    verdict = {True: "PASS", False: "FAIL", None: "n/a (a functional check failed)"}
    print(table([[g, fig, verdict[ok]] for g, fig, ok in goals], ["goal", "figure", "result"]))
    spread = [f"{f.tool} {f.scenario} {statistics.mean(f.cold):.1f}±{max(f.cold) - min(f.cold):.1f}"
              for f in figures.values() if len(f.cold) > 1]
    if spread:
        print("\ncold build mean ± range over the runs (how noisy the machine was): " + "; ".join(spread))
        print_passes(figures, scenarios)
    return 0 if all(ok is not False for _, _, ok in goals) else 1


def print_passes(figures: dict[tuple[str, str], Figures], scenarios: list[str]) -> None:
    """Each pass's cold builds and imgwizard's against the faster peer of the same pass: where the machine's
    noise is as large as the differences, the minimum of each tool's runs is decided by one lucky pass, and the
    passes say more (what each tool wins, and by how much on average)."""
    from report import table  # bench/report.py's table

    rows = []
    for s in scenarios:
        w, n, h = (figures[(t, s)] for t in TOOLS)
        passes = list(zip(w.cold, n.cold, h.cold))
        if len(passes) < 2:
            continue
        ahead = [i - min(pn, ph) for i, pn, ph in passes]
        rows.append([s, "; ".join(f"{i:.1f} / {pn:.1f} / {ph:.1f}" for i, pn, ph in passes),
                     ", ".join(f"{d:+.1f}" for d in ahead), f"{sum(d < 0 for d in ahead)} of {len(ahead)}",
                     f"{statistics.mean(ahead):+.1f} s"])
    if rows:
        print("\nCold builds pass by pass (s, i / n / h), and imgwizard minus the faster peer of the same pass\n")
        print(table(rows, ["scenario", "passes", "imgwizard - faster peer", "passes imgwizard won",
                           "mean difference"]))
