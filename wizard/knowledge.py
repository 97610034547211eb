"""The knowledge tables (wizard/data/*.toml) and the pure look-ups over them.

Every table names where its facts come from; a new PyTorch release or base tag is a one-line data change.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from wizard import checks
from wizard.text import Msg, T


@functools.cache
def table(name: str) -> dict:
    """Load wizard/data/<name>.toml once."""
    with resources.files("wizard").joinpath("data", f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


# ---------------------------------------------------------------- base images

@dataclass(frozen=True)
class Base:
    """What a base image is and does at build time (bases.toml; each fact's source is in the table).

    The facts after `preinstalled` are the ones `imgwizard bases check` reads back from inside a container of
    the image (wizard/basefacts.py) and the tests' stand-ins are built from (tests/standins.py)."""
    image: str  # the pinned reference: repository:release (third-party bases: one release, never a moving tag)
    codename: str
    sources: str  # the one apt/apk sources file the base has (the mirror step rewrites it)
    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    mirror_from: tuple[str, ...] = ()  # the repository URLs in `sources` a mirror replaces (scheme, host, path)
    foreign_sources: tuple[str, ...] = ()  # third-party apt lists (download.docker.com...) no mirror serves
    preinstalled: tuple[str, ...] = ()  # packages it has, which imgwizard does not name (naming one upgrades it)
    engine: dict = field(default_factory=dict, compare=False)  # the engine's behaviour (bases.toml [engines.*])
    key: tuple[str, str, str] = ("", "", "")  # (engine, family, version): the bases.toml row
    digest: str = ""  # sha256:... of the pinned release where recorded ("" = not recorded)
    upstream: str = ""  # owner/repo@commit the facts were read at (third-party bases)
    user: str = "root"  # the USER the image ends with
    links: tuple[tuple[str, str], ...] = ()  # (path, target): paths that are symbolic links at build time
    uid_1000: str = ""  # the account that has uid 1000 at build time ("" = none)
    helpers: tuple[str, ...] = ()  # the base's own commands imgwizard calls (add-pkg, set-cont-env), on PATH
    nvidia_capabilities: str = ""  # NVIDIA_DRIVER_CAPABILITIES the image's ENV sets ("" = not set)
    foreign_archs: tuple[str, ...] = ()  # dpkg foreign architectures the base added (kasmweb jammy: i386)

    @property
    def repository(self) -> str:
        """The image's repository without its tag (jlesage/baseimage-gui)."""
        name = self.image.split("@", 1)[0]
        return name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name

    @property
    def release(self) -> str:
        """The pinned tag (debian-12-v4.13.1); "" for an image named without one (scratch)."""
        name = self.image.split("@", 1)[0]
        return name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""

    def ref(self, release: str = "") -> str:
        """What FROM names: the pinned release with its digest where recorded; another `release` of the same
        repository (answers' os.base_release) without a digest."""
        if release and release != self.release:
            return f"{self.repository}:{release}"
        return f"{self.image}@{self.digest}" if self.digest else self.image

    def has_helper(self, name: str) -> bool:
        return name in self.helpers


def engine_of(app_type: str, desktop_engine: str | None) -> str:
    """'plain' for shell/web/binary apps, else the desktop engine."""
    return desktop_engine if app_type == "desktop" and desktop_engine else "plain"


def os_versions(engine: str, family: str) -> list[str]:
    """OS versions a base exists for, newest last."""
    return list(table("bases").get(engine, {}).get(family, {}))


def os_families(engine: str) -> list[str]:
    return list(table("bases").get(engine, {}))


def base(engine: str, family: str, version: str) -> Base | None:
    row = table("bases").get(engine, {}).get(family, {}).get(version)
    if row is None:
        return None
    mirror_from = row.get("mirror_from", table("mirrors")["defaults"].get(family, []))
    return Base(row["image"], row["codename"], row["sources"], tuple(row["entrypoint"]), tuple(row["cmd"]),
                tuple(mirror_from), tuple(row.get("foreign_sources", ())), tuple(row.get("preinstalled", ())),
                engine_facts(engine), key=(engine, family, version), digest=row.get("digest", ""),
                upstream=row.get("upstream", ""), user=row.get("user", "root"),
                links=tuple(sorted(row.get("links", {}).items())), uid_1000=row.get("uid_1000", ""),
                helpers=tuple(row.get("helpers", ())), nvidia_capabilities=row.get("nvidia_capabilities", ""),
                foreign_archs=tuple(row.get("foreign_archs", ())))


def bases() -> list[Base]:
    """Every row of bases.toml, in table order (imgwizard bases lists them)."""
    rows = table("bases")
    return [b for engine in rows if engine != "engines" for family in rows[engine]
            for version in rows[engine][family] if (b := base(engine, family, version))]


def third_party(b: Base) -> bool:
    """A base another project publishes and changes (jlesage, linuxserver, kasmweb): pinned to one release."""
    return b.key[0] in ("novnc", "kasm", "kasmweb")


def desktop(engine: str) -> dict:
    """How a desktop engine listens, and what it does to users and SSH (bases.toml [engines.*])."""
    return table("bases")["engines"][engine]


def engine_facts(engine: str) -> dict:
    """An engine's recorded behaviour; {} for plain distribution images (they do nothing of their own)."""
    return table("bases")["engines"].get(engine, {})


def engine_ports(engine: str) -> dict[int, str]:
    """The ports an engine's own services listen on inside the container besides app.port, each with the
    program that holds it (bases.toml [engines.*] own_ports); {} for plain images."""
    return {int(port): owner for port, owner in engine_facts(engine).get("own_ports", {}).items()}


def engine_reason(engine: str, key: str) -> T | None:
    """A reason bases.toml records for an engine (key, with its Chinese in key_zh), or None."""
    facts = engine_facts(engine)
    return T(facts[key], facts.get(f"{key}_zh", facts[key])) if facts.get(key) else None


def ssh_refusal(engine: str, auth: str) -> T | None:
    """Why SSH (or SSH password login) cannot work on an engine's base images, or None when it can."""
    return engine_reason(engine, "ssh_refused") or \
        (engine_reason(engine, "password_ssh_refused") if auth == "password" else None)


# ---------------------------------------------------------------- packages

def packages(family: str, group: str) -> list[str]:
    """The package names for one concern ('common', 'locale', 'ssh'...) on an OS family."""
    return list(table("packages")[family][group])


def java_package(family: str, version: str) -> str | None:
    return table("packages")[family]["java"].get(str(version))


def java_versions(family: str) -> list[str]:
    return list(table("packages").get(family, {}).get("java", {}))


def java_home(family: str, version: str, arch: str) -> str:
    return table("packages")[family]["java_home"].format(version=version, arch=arch)


@dataclass(frozen=True)
class CommandNeed:
    """What a desktop program needs in the image (commands.toml): `packages` that each provide it (the first is
    packages.apt's default; () = the base has it), or `refused` (a wizard/text.py message id), or `via` another
    answer that installs it (packages.java)."""
    packages: tuple[str, ...] = ()
    refused: str = ""
    via: str = ""
    snap: str = ""  # the snap transitional package a refusal names


def command_need(program: str, family: str, version: str) -> CommandNeed | None:
    """The package a known program comes from on an OS ("family version" first, then the family); None for a
    program the table does not know on that OS (its package must be named in packages.apt)."""
    row = table("commands")["commands"].get(program)
    if row is None:
        return None
    keys = (f"{family} {version}", family)
    refused = next((row["refused"][k] for k in keys if k in row.get("refused", {})), "")
    found = next((row[k] for k in keys if k in row), None)
    if not refused and found is None and not row.get("via"):
        return None
    packages = ((found,) if found else ()) if isinstance(found, str) else tuple(found or ())
    return CommandNeed(packages, refused, row.get("via", ""), row.get("snap", ""))


def package_programs(name: str) -> tuple[str, ...]:
    """The programs a package provides when its name is given as the command (x11-utils -> xdpyinfo, ...); ()
    for a name that is not one of commands.toml's [packages]."""
    return tuple(table("commands")["packages"].get(name, ()))


def arch_names(arch: str) -> dict:
    """{'uname': 'x86_64', 'deb': 'amd64'} for arch 'amd64'."""
    return table("apps")["arch"][arch]


def nvidia_run_name(arch: str, version: str) -> str:
    """The NVIDIA driver installer's file name as NVIDIA publishes it: NVIDIA-Linux-x86_64-550.135.run."""
    return f"NVIDIA-Linux-{arch_names(arch)['uname']}-{version}.run"


def nvidia_run(name: str) -> tuple[str, str] | None:
    """(arch, driver version) of an installer's file name (the inverse of nvidia_run_name), else None."""
    for arch in table("apps")["arch"]:
        prefix = nvidia_run_name(arch, "")[:-len(".run")]
        version = name[len(prefix):-len(".run")] if name.startswith(prefix) and name.endswith(".run") else ""
        if version and checks.driver_version(version) is None:
            return arch, version
    return None


# ---------------------------------------------------------------- mirrors

MIRRORS = ("none", "tuna", "aliyun", "ustc", "tencent", "huawei")


def mirror_root(choice: str) -> str | None:
    """The http root a named mirror (or a custom URL) serves /debian, /ubuntu, /alpine... under."""
    if choice == "none":
        return None
    host = table("mirrors")["hosts"].get(choice)
    return f"http://{host}" if host else choice.rstrip("/")


def pip_index(choice: str) -> str | None:
    if choice == "none":
        return None
    return table("mirrors")["pip"].get(choice, choice)


def conda_root(choice: str) -> str | None:
    if choice == "none":
        return None
    host = table("mirrors")["hosts"].get(choice)
    return f"https://{host}" if host else choice.rstrip("/")


# ---------------------------------------------------------------- PyTorch and CUDA

@dataclass(frozen=True)
class TorchRelease:
    torch: str
    vision: str
    audio: str
    variants: tuple[str, ...]
    python: tuple[str, ...]  # lowest and highest CPython with wheels
    aarch64: tuple[str, ...]  # the variants with linux_aarch64 wheels


def torch_releases() -> list[TorchRelease]:
    return [TorchRelease(r["torch"], r["vision"], r["audio"], tuple(r["variants"]), tuple(r["python"]),
                         tuple(r["aarch64"])) for r in table("pytorch")["releases"]]


def torch_release(version: str) -> TorchRelease | None:
    """The release for '2.4', '2.4.0' or '2.4.1' (a minor picks its newest patch)."""
    matches = [r for r in torch_releases() if r.torch == version or r.torch.startswith(version + ".")]
    return matches[-1] if matches else None


def system_python(family: str, version: str) -> str | None:
    """The distro's python3 (major.minor) that the venv uses; None for a base the table does not know."""
    return table("pytorch")["system_python"].get(f"{family} {version}")


def torch_index(variant: str, mirror: str = "") -> str:
    """The wheel index of a build: the PyTorch index, or a mirror with its layout (URL/<variant>)."""
    return f"{mirror.rstrip('/') or table('pytorch')['index']}/{variant}"


def cuda_variants() -> list[str]:
    return list(table("cuda")["minimum_driver"])


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split(".") if p.isdigit())


def driver_supports(driver: str, variant: str) -> bool:
    """Whether a host driver runs a CUDA variant: at or above its minimum driver (no compat floor:
    PyTorch wheels may use features that minor-version compatibility does not cover)."""
    if variant == "cpu":
        return True
    minimum = table("cuda")["minimum_driver"].get(variant)
    return minimum is not None and _version_key(driver) >= _version_key(minimum)


def driver_can_run(driver: str, variant: str) -> bool:
    """Whether a driver can run a CUDA variant at all: at or above the minor-version compatibility floor of its
    major (12.x runs on >= 525, 11.x on >= 450, 13.x on >= 580; facts.md 'NVIDIA'). Weaker than
    driver_supports: such a build runs, but features newer than the driver (PTX JIT) may not."""
    if variant == "cpu":
        return True
    major = variant[2:-1]
    floor = table("cuda")["minor_compat_floor"].get(major)
    return floor is not None and _version_key(driver) >= _version_key(floor)


def nvidia_installer_flags(driver: str) -> list[str]:
    """The .run installer's flags for a driver version: only options that version knows (cuda.toml [installer])."""
    facts, key = table("cuda")["installer"], _version_key(driver)
    module = "--no-kernel-modules" if key >= _version_key(facts["no_kernel_modules_since"]) else "--no-kernel-module"
    systemd = ["--no-systemd"] if key >= _version_key(facts["no_systemd_since"]) else []
    return [facts["flags"][0], module, *facts["flags"][1:], *systemd]


@dataclass(frozen=True)
class TorchBuild:
    """The PyTorch wheel variant an image installs, or None and why not (`key`, `reason`: one validation line
    naming what is accepted). `note` (English, Chinese) is the few words shown next to the release in the wizard;
    `warning` goes to plan.warnings (a build that runs only by CUDA minor-version compatibility)."""
    variant: str | None
    note: tuple[str, str]
    key: str = ""
    reason: str = ""
    warning: str = ""


def torch_build(release: TorchRelease, choice: str, vendor: str, driver: str | None, arch: str,
                python: str | None) -> TorchBuild:
    """The one decision of the PyTorch build, from the release's variants, Python range and aarch64 wheels,
    the GPU vendor, the host driver (minimum driver and minor-version floor, cuda.toml), the image's arch and
    Python. An NVIDIA or Ascend image gets a CPU build only when `choice` is 'cpu'; '' picks the newest CUDA
    build the driver fully supports and refuses when there is none, naming what to choose instead."""
    if python and not _python_fits(python, release.python):
        lo, hi = release.python
        fits = ", ".join(r.torch for r in torch_releases() if _python_fits(python, r.python))
        return TorchBuild(None, (f"no wheel for Python {python}", f"无 Python {python} 的 wheel"), "gpu.pytorch",
                          Msg("torch.python", torch=release.torch, lo=lo, hi=hi, python=python,
                              fits=fits or T("another Python", "其他 Python 版本")))
    if vendor == "ascend" and choice != "cpu":
        return TorchBuild(None, ("not for Ascend", "不适用于昇腾"), "gpu.pytorch",
                          Msg("torch.ascend"))
    if choice:
        return _chosen_build(release, choice, vendor, driver, arch)
    if vendor != "nvidia":
        return _chosen_build(release, "cpu", vendor, driver, arch)
    return _auto_build(release, driver, arch)


def _python_fits(python: str, span: tuple[str, ...]) -> bool:
    minor = _version_key(python)[:2]
    return _version_key(span[0]) <= minor <= _version_key(span[1])


def _chosen_build(release: TorchRelease, variant: str, vendor: str, driver: str | None, arch: str) -> TorchBuild:
    """The variant the user chose, when the release has it for the arch and the vendor and driver run it."""
    def refuse(reason: str) -> TorchBuild:
        return TorchBuild(None, (f"no {variant}", f"无 {variant}"), "gpu.cuda", reason)
    if variant not in release.variants:
        return refuse(Msg("torch.no_variant", torch=release.torch, variant=variant, variants=", ".join(release.variants)))
    if arch == "arm64" and variant not in release.aarch64:
        return refuse(Msg("torch.no_aarch64", torch=release.torch, variant=variant, variants=", ".join(release.aarch64)))
    if variant == "cpu":
        return TorchBuild("cpu", ("cpu", "cpu"))
    if vendor != "nvidia":
        return refuse(Msg("torch.needs_nvidia", variant=variant))
    if driver and not driver_can_run(driver, variant):
        floor = table("cuda")["minor_compat_floor"][variant[2:-1]]
        return refuse(Msg("torch.driver_floor", variant=variant, floor=floor, driver=driver))
    if driver and not driver_supports(driver, variant):
        minimum = table("cuda")["minimum_driver"][variant]
        return TorchBuild(variant, (f"{variant}, minor-version compat", f"{variant}，仅靠 CUDA 小版本兼容"), warning=Msg(
            "torch.compat_only", variant=variant, minimum=minimum, driver=driver))
    return TorchBuild(variant, (variant, variant))


def _auto_build(release: TorchRelease, driver: str | None, arch: str) -> TorchBuild:
    """The newest CUDA variant the host driver fully supports (minimum driver table), for an NVIDIA image."""
    cuda = [v for v in release.variants if v != "cpu" and (arch != "arm64" or v in release.aarch64)]
    if not cuda:
        return TorchBuild(None, ("no aarch64 CUDA build", "无 aarch64 CUDA 版本"), "gpu.pytorch",
                          Msg("torch.no_aarch64_cuda", torch=release.torch,
                              releases=", ".join(r.torch for r in torch_releases() if len(r.aarch64) > 1)))
    if not driver:
        return TorchBuild(None, ("set the host driver", "请填写宿主机驱动版本"), "gpu.host_driver",
                          Msg("torch.needs_driver", torch=release.torch, variants=", ".join(cuda)))
    full = [v for v in cuda if driver_supports(driver, v)]
    if full:
        return TorchBuild(full[-1], (full[-1], full[-1]))
    compat = [v for v in cuda if driver_can_run(driver, v)]
    but = Msg("torch.but_compat", variants=" / ".join(compat)) if compat else "gpu.cuda = cpu"
    note = (f"{'/'.join(compat)} by minor-version compat only", f"{'/'.join(compat)} 仅靠 CUDA 小版本兼容") if compat \
        else (f"cpu only for driver {driver}", f"驱动 {driver} 只能用 cpu")
    return TorchBuild(None, note, "gpu.pytorch",
                      Msg("torch.no_cuda_for_driver", torch=release.torch, driver=driver, variant=cuda[0],
                          minimum=table("cuda")["minimum_driver"][cuda[0]], but=but))


# ---------------------------------------------------------------- apps

def code_server() -> dict:
    return table("apps")["code_server"]


def uv_version() -> str:
    """The uv release the venv's app install fetches (apps.toml [uv])."""
    return table("apps")["uv"]["version"]


def miniconda_url(arch: str) -> str:
    return table("apps")["miniconda"]["url"].format(uname=arch_names(arch)["uname"])


_JETBRAINS_NAME = re.compile(r"(?P<prefix>[A-Za-z.]+(?:-(?:community|professional))?)-[0-9]+(?:\.[0-9]+){1,3}"
                             r"(?P<arm>-aarch64)?\.tar\.gz")


def jetbrains_archive(archive: str) -> tuple[dict, str] | None:
    """({'product': 'goland', 'title': 'GoLand'}, 'amd64') for 'goland-2024.3.tar.gz', 'arm64' for a name ending
    -aarch64.tar.gz; None for a name JetBrains does not publish. Prefixes match case-insensitively."""
    m = _JETBRAINS_NAME.fullmatch(archive)
    info = m and table("apps")["jetbrains"].get(m["prefix"].lower())
    return (info, "arm64" if m["arm"] else "amd64") if info else None
