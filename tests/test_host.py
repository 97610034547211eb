"""Host detection with fake command runners (the probes are injected; no real nvidia-smi is needed)."""

import subprocess
from pathlib import Path

from wizard import host
from wizard.answers import resolve

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPUEO3HnE2So1hfL4wKe5hOtSfxtthiCLfQQ/RmVakqp me@laptop"


def runner(outputs: dict[str, tuple[int, str]]):
    """A subprocess.run stand-in: the command's first word picks (returncode, stdout); unknown -> not found."""
    calls = []

    def run(args, **kwargs):
        calls.append(args)
        if args[0] not in outputs:
            raise FileNotFoundError(args[0])
        code, out = outputs[args[0]]
        return subprocess.CompletedProcess(args, code, stdout=out, stderr="")

    run.calls = calls
    return run


def test_arch_names():
    assert host.detect_arch(lambda: "x86_64") == "amd64"
    assert host.detect_arch(lambda: "aarch64") == "arm64"
    assert host.detect_arch(lambda: "riscv64") is None


def test_nvidia_first_line_of_nvidia_smi():
    run = runner({"nvidia-smi": (0, "550.54.14\n550.54.14\n")})
    assert host.detect_nvidia(run) == "550.54.14"
    assert run.calls == [["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"]]


def test_nvidia_absent_failing_or_garbage():
    assert host.detect_nvidia(runner({})) is None
    assert host.detect_nvidia(runner({"nvidia-smi": (9, "NVIDIA-SMI has failed")})) is None
    assert host.detect_nvidia(runner({"nvidia-smi": (0, "No devices were found\n")})) is None

    def timeout(args, **kw):
        raise subprocess.TimeoutExpired(args, 5)
    assert host.detect_nvidia(timeout) is None


def test_ascend():
    assert host.detect_ascend(runner({"npu-smi": (0, "| npu-smi 23.0.0 |")})) is True
    assert host.detect_ascend(runner({})) is False


def test_ssh_key_found_in_preference_order(tmp_path: Path):
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa.pub").write_text("ssh-rsa AAAAB3Nza rsa@x\n")
    (tmp_path / ".ssh" / "id_ed25519.pub").write_text(KEY + "\n")
    assert host.detect_ssh_key(tmp_path) == (KEY, str(tmp_path / ".ssh" / "id_ed25519.pub"))


def test_ssh_key_not_a_key_is_ignored(tmp_path: Path):
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_ed25519.pub").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    assert host.detect_ssh_key(tmp_path) == (None, None)


def test_detect_and_prefill_nvidia_host(tmp_path: Path):
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_ed25519.pub").write_text(KEY)
    facts = host.detect(run=runner({"nvidia-smi": (0, "535.171.04\n")}), machine=lambda: "x86_64",
                        distro_name=lambda: "Ubuntu 22.04", engine=lambda: None, home=tmp_path)
    assert facts == host.HostFacts("amd64", "535.171.04", False, "Ubuntu 22.04", None, KEY,
                                   str(tmp_path / ".ssh" / "id_ed25519.pub"))
    assert facts.engine_ok
    given = host.prefill(facts)
    assert given == {"image.arch": "amd64", "gpu.vendor": "nvidia", "gpu.host_driver": "535.171.04",
                     "ssh.authorized_key": KEY}
    answers, problems = resolve(given)
    assert problems == [] and answers["gpu.host_driver"] == "535.171.04"
    hints = host.hints(facts)
    assert "535.171.04" in hints["gpu.host_driver"]("en") and "Ubuntu 22.04" in hints["os.family"]("zh")


def test_detect_bare_arm_host_without_engine(tmp_path: Path):
    facts = host.detect(run=runner({"npu-smi": (0, "ok")}), machine=lambda: "aarch64",
                        distro_name=lambda: None, engine=lambda: "Cannot connect to the Docker daemon", home=tmp_path)
    assert not facts.engine_ok and facts.ascend and facts.ssh_key is None
    assert host.prefill(facts) == {"image.arch": "arm64", "gpu.vendor": "ascend"}
    assert "systemctl start docker" in host.engine_help(facts.engine_problem)("en")
    assert "dockerd" in host.engine_help(facts.engine_problem)("zh")


def test_engine_reachable_or_not_checked():
    facts = host.detect(run=runner({}), machine=lambda: "x86_64", distro_name=lambda: None,
                        engine=lambda: None, home=Path("/nonexistent"))
    assert facts.engine_problem is None
    assert host.detect(run=runner({}), machine=lambda: "x86_64", distro_name=lambda: None, engine=None,
                       home=Path("/nonexistent")).engine_problem == "not checked"
