"""Java on the slim Debian base, as on the registry's debian:bookworm-slim: the base has no /usr/share/man, and
OpenJDK's postinst fails there unless the packages layer makes man1 first (debuerreotype#10)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.docker


def test_base_image_is_slim_like_the_registry(docker_client):
    """The tests below only mean something on a base with the registry image's dpkg excludes and apt clean-up
    (scripts/make-base-image.sh makes one; .ci/run re-makes an older local base that lacks them)."""
    out = docker_client.containers.run(
        "debian:bookworm-slim",
        ["sh", "-c", "grep -c '^path-exclude /usr/share/man/' /etc/dpkg/dpkg.cfg.d/docker;"
                     " grep -c 'DPkg::Post-Invoke' /etc/apt/apt.conf.d/docker-clean;"
                     " test -e /usr/share/man/man1 && echo man1 || echo no-man1"],
        remove=True).decode().split()
    assert out == ["1", "1", "no-man1"]


def test_java_17_installs_and_runs(docker_client, java_image):
    assert "openjdk-17-jdk-headless" in java_image.log
    script = 'java -version 2>&1; javac -version 2>&1; echo "home=$JAVA_HOME"; ls "$JAVA_HOME/bin/java"'
    out = docker_client.containers.run(java_image.tag, ["sh", "-c", script], remove=True).decode()
    assert 'openjdk version "17.' in out
    assert "javac 17." in out
    assert "home=/usr/lib/jvm/java-17-openjdk-" in out
    assert "/bin/java\n" in out
