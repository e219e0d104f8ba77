"""Static checks of the deployment files (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_service_builds_the_server_image_and_publishes_the_port():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    server = compose["services"]["server"]
    context = ROOT / server["build"]["context"]
    dockerfile = context / server["build"]["dockerfile"]
    assert dockerfile.is_file()
    assert any(str(p).endswith(":5000") for p in server["ports"])

    text = dockerfile.read_text()
    for sources in re.findall(r"^COPY\s+(?!--from)(.+)\s+\S+$", text, flags=re.M):
        for source in sources.split():
            assert (context / source).exists(), source
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, flags=re.M)
    for stage in re.findall(r"^COPY\s+--from=(\S+)", text, flags=re.M):
        assert stage in stages, stage
    assert re.search(r"DEJPEG_CLIENT_DIST=(\S+)", text).group(1) == "/app/client/dist"
    cmd = re.search(r"^CMD\s+(\[.*\])", text, flags=re.M).group(1)
    assert yaml.safe_load(cmd)[:2] == ["dejpeg", "serve"]
    assert "EXPOSE 5000" in text and "/api/health" in text


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
