"""The recorded facts of a base image (a bases.toml row) and how they are read back from the image itself.

`imgwizard bases check` reads the image's config (User, Entrypoint, Cmd, Env) and runs PROBE, a fixed shell script,
in a container of it; `differences` compares both with the row, one Difference per fact that differs. The tests'
stand-ins (tests/standins.py) are built from the same Base fields, so the data, the stand-ins and the check read
one list. Pure: the engine side is wizard/engine/bases_check.py.

Facts (docs/bases.md): entrypoint, cmd and user from the image config; NVIDIA_DRIVER_CAPABILITIES from its Env;
each `links` path a link to its target, the account files regular files where no link is recorded, /var/log a
directory where no link is recorded; the apt/apk source files (sources + foreign_sources) present and no other
file in /etc/apt/sources.list.d; dpkg's foreign architectures; the account with uid 1000; each helper on PATH.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from wizard.knowledge import Base

ACCOUNT_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow")  # real files in a base unless `links` says otherwise
LOG_DIR = "/var/log"
LISTS_DIR = "/etc/apt/sources.list.d"
NOT_SET = "not set"
ON_PATH, NOT_ON_PATH = "on PATH", "not on PATH"
PRESENT, ABSENT = "present", "absent"
UNRECORDED = "absent (not in sources or foreign_sources)"

# What the probe may be asked about: paths and helper names come from bases.toml, never from a user, and are
# passed to the fixed script as arguments (never written into it); they are checked all the same.
_PATH = re.compile(r"/[A-Za-z0-9._+-]+(?:/[A-Za-z0-9._+-]+)*", re.ASCII)
_HELPER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}", re.ASCII)
_ROW = re.compile(r"([a-z]+)/([a-z]+)/([0-9.]*)", re.ASCII)

# Run as `/bin/sh -c PROBE probe PATH... -- HELPER...` (user 0, no network). One tab-separated record a line:
#   path <path> link:<target>|dir|file|other|missing   helper <name> <where or empty>   source <file>
#   arch <name>   uid1000 <name or empty>   end
# It only reads: test, readlink, command -v, getent (else a read of /etc/passwd), dpkg --print-foreign-architectures.
PROBE = r"""
out() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    p=$1; shift
    if [ -L "$p" ]; then out path "$p" "link:$(readlink "$p")"
    elif [ -d "$p" ]; then out path "$p" dir
    elif [ -f "$p" ]; then out path "$p" file
    elif [ -e "$p" ]; then out path "$p" other
    else out path "$p" missing
    fi
done
[ "$#" -gt 0 ] && shift
for h in "$@"; do
    if w=$(command -v "$h" 2>/dev/null); then out helper "$h" "$w"; else out helper "$h" ""; fi
done
for f in /etc/apt/sources.list /etc/apk/repositories /etc/apt/sources.list.d/* /etc/apt/sources.list.d/.[!.]*; do
    if [ -e "$f" ] || [ -L "$f" ]; then out source "$f" ""; fi
done
if command -v dpkg >/dev/null 2>&1; then
    for a in $(dpkg --print-foreign-architectures 2>/dev/null); do out arch "$a" ""; done
fi
u=
if command -v getent >/dev/null 2>&1; then u=$(getent passwd 1000 2>/dev/null); u=${u%%:*}; fi
if [ -z "$u" ] && [ -f /etc/passwd ]; then
    while IFS=: read -r n _ id _; do
        if [ "$id" = 1000 ]; then u=$n; break; fi
    done < /etc/passwd
fi
out uid1000 "$u" ""
echo end
"""


@dataclass(frozen=True)
class Fact:
    """One recorded fact: what is checked (`subject`, as the drift line names it) and its recorded value."""
    subject: str
    recorded: str


@dataclass(frozen=True)
class Difference:
    subject: str
    recorded: str
    found: str

    def line(self, row: str, ref: str) -> str:
        """`novnc/debian/12 jlesage/...:v4.13.1: /etc/passwd: recorded link to /tmp/.passwd, found regular file`
        (the found half came from the image: the caller shows the line through safe_to_show)."""
        return f"{row} {ref}: {self.subject}: recorded {self.recorded}, found {self.found}"


@dataclass
class Probe:
    """What PROBE printed, parsed; `complete` is False when its last line (`end`) never came."""
    paths: dict[str, str] = field(default_factory=dict)
    helpers: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    archs: list[str] = field(default_factory=list)
    uid_1000: str = ""
    complete: bool = False


def row_name(base: Base) -> str:
    """engine/family/version, as `imgwizard bases` lists a row and `--row` names one."""
    return "/".join(base.key)


def parse_row(text: str) -> tuple[str, str, str] | None:
    """(engine, family, version) of `novnc/debian/12`, or None when it is not written that way."""
    m = _ROW.fullmatch(text) if len(text) <= 40 else None
    return (m.group(1), m.group(2), m.group(3)) if m else None


def shown_list(values: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(values))


def _kind(base: Base, path: str) -> str:
    """The recorded kind of a probed path: a link to its target, else a regular file or a directory."""
    target = dict(base.links).get(path)
    if target is not None:
        return f"link to {target}"
    return "directory" if path == LOG_DIR else "regular file"


def probed_paths(base: Base) -> list[str]:
    """The paths PROBE is asked about: every recorded link, the account files, /var/log."""
    paths = [p for p, _ in base.links]
    return paths + [p for p in (*ACCOUNT_FILES, LOG_DIR) if p not in paths]


def expected_sources(base: Base) -> list[str]:
    return [s for s in (base.sources, *base.foreign_sources) if s]


def facts(base: Base) -> list[Fact]:
    """Every fact of the row that `bases check` reads back, in the order it prints them."""
    out = [Fact("entrypoint", shown_list(base.entrypoint)), Fact("cmd", shown_list(base.cmd)),
           Fact("user", base.user), Fact("NVIDIA_DRIVER_CAPABILITIES", base.nvidia_capabilities or NOT_SET)]
    out += [Fact(p, _kind(base, p)) for p in probed_paths(base)]
    out += [Fact(s, PRESENT) for s in expected_sources(base)]
    out.append(Fact("foreign architectures", " ".join(sorted(base.foreign_archs)) or "none"))
    out.append(Fact("uid 1000", base.uid_1000 or "none"))
    out += [Fact(f"helper {h}", ON_PATH) for h in base.helpers]
    return out


def probe_problem(base: Base) -> str | None:
    """Why the row's facts cannot be passed to PROBE (a path or helper name outside what it accepts), else None."""
    if base.image == "scratch":
        return "scratch has no shell to run the probe in"
    for p in probed_paths(base):
        if not _PATH.fullmatch(p) or len(p) > 200:
            return f"links: {p!r} is not accepted; accepted: an absolute path of letters, digits and . _ + -"
    for h in base.helpers:
        if not _HELPER.fullmatch(h):
            return f"helpers: {h!r} is not accepted; accepted: a command name of letters, digits and . _ + -"
    return None


def probe_args(base: Base) -> list[str]:
    """The arguments after `/bin/sh -c PROBE probe`: the paths, `--`, the helpers (probe_problem first)."""
    return [*probed_paths(base), "--", *base.helpers]


def parse_probe(text: str) -> Probe:
    """PROBE's output; lines it does not know (or that a file name with a tab or line break split) are left out."""
    probe = Probe()
    for line in text.splitlines():
        if line == "end":
            probe.complete = True
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        tag, name, value = parts
        if tag == "path":
            probe.paths[name] = value
        elif tag == "helper":
            probe.helpers[name] = value
        elif tag == "source":
            probe.sources.append(name)
        elif tag == "arch":
            probe.archs.append(name)
        elif tag == "uid1000":
            probe.uid_1000 = name
    return probe


def _found_kind(value: str | None) -> str:
    if value is None:
        return "not reported"
    if value.startswith("link:"):
        return f"link to {value[len('link:'):]}"
    return {"dir": "directory", "file": "regular file", "missing": "missing",
            "other": "not a file, directory or link"}.get(value, value)


def env_value(env: list[str] | None, name: str) -> str:
    """A variable's value in an image config's Env list ("" when unset)."""
    for item in env or []:
        key, _, value = item.partition("=")
        if key == name:
            return value
    return ""


def found(base: Base, config: Mapping[str, Any], probe: Probe) -> dict[str, str]:
    """What the image has for each of the row's facts (subject -> value shown as `facts` shows it), plus every
    unrecorded file in /etc/apt/sources.list.d."""
    user = str(config.get("User") or "") or "root"
    out = {"entrypoint": shown_list(config.get("Entrypoint") or []), "cmd": shown_list(config.get("Cmd") or []),
           "user": user,
           "NVIDIA_DRIVER_CAPABILITIES": env_value(config.get("Env"), "NVIDIA_DRIVER_CAPABILITIES") or NOT_SET}
    out.update({p: _found_kind(probe.paths.get(p)) for p in probed_paths(base)})
    present = set(probe.sources)
    out.update({s: PRESENT if s in present else ABSENT for s in expected_sources(base)})
    expected = set(expected_sources(base))
    out.update({s: PRESENT for s in probe.sources if s.startswith(LISTS_DIR + "/") and s not in expected})
    out["foreign architectures"] = " ".join(sorted(probe.archs)) or "none"
    out["uid 1000"] = probe.uid_1000 or "none"
    out.update({f"helper {h}": ON_PATH if probe.helpers.get(h) else NOT_ON_PATH for h in base.helpers})
    return out


def differences(base: Base, config: Mapping[str, Any], probe: Probe) -> list[Difference]:
    """One Difference per recorded fact the image does not have, then one per unrecorded apt list."""
    have = found(base, config, probe)
    recorded = facts(base)
    diffs = [Difference(f.subject, f.recorded, have[f.subject]) for f in recorded if have[f.subject] != f.recorded]
    subjects = {f.subject for f in recorded}
    diffs += [Difference(s, UNRECORDED, v) for s, v in have.items() if s not in subjects]
    return diffs
