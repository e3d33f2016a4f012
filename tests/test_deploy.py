"""Hosting: the Dockerfile, the compose file and the Kubernetes manifests are checked offline, and each check is
shown to catch a planted error; the image's command is the one the tests start; README's commands match the files."""

import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from tests.browser_harness import streamlit_server

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the tools install into the same environment (requirements-dev.txt)
MANIFESTS = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
KUBERNETES = [m for m in MANIFESTS if m.name != "traefik-values.yaml"]  # Helm values are not a resource


def tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    assert path, f"{name} is not installed: pip install -r requirements-dev.txt"
    return str(path)


def run(*cmd) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120, cwd=ROOT)


def planted(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """A copy of ``source`` with one error planted (``old`` replaced by ``new``)."""
    text = source.read_text()
    assert old in text, f"{old!r} not in {source.name}"
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1))
    return copy


def test_the_dockerfile_lints_clean_and_a_planted_error_is_caught(tmp_path):
    assert run(tool("hadolint"), ROOT / "Dockerfile").returncode == 0
    untagged = planted(tmp_path, ROOT / "Dockerfile", "FROM python:3.12-slim-bookworm", "FROM python")
    result = run(tool("hadolint"), untagged)
    assert result.returncode != 0 and "DL3006" in result.stdout  # always tag the base image


@pytest.mark.parametrize("manifest", KUBERNETES, ids=lambda p: p.name)
def test_each_manifest_is_valid_kubernetes_strictly(manifest):
    result = run(tool("kubernetes-validate"), "--strict", manifest)
    assert result.returncode == 0, result.stdout + result.stderr


def test_kubernetes_validate_catches_a_planted_error(tmp_path):
    typo = planted(tmp_path, ROOT / "deploy/k8s/deployment.yaml", "  replicas: 2\n", "  replica: 2\n")
    assert run(tool("kubernetes-validate"), "--strict", typo).returncode != 0  # an unknown field
    wrong = planted(tmp_path, ROOT / "deploy/k8s/hpa.yaml", "maxReplicas: 10", "maxReplicas: ten")
    assert run(tool("kubernetes-validate"), "--strict", wrong).returncode != 0  # a wrong type


def test_the_compose_file_follows_the_compose_spec_and_a_planted_error_is_caught(tmp_path):
    compose = ROOT / "deploy" / "compose.yaml"
    check = [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec"]
    assert run(*check, compose).returncode == 0
    assert run(*check, planted(tmp_path, compose, "    image: traefik:v3.5", "    imag: traefik:v3.5")).returncode != 0
    assert run(*check, planted(tmp_path, compose, 'ports:\n      - "80:80"', "ports: {web: 80}")).returncode != 0


def test_yaml_lints_clean_and_a_planted_error_is_caught(tmp_path):
    config = ROOT / ".yamllint.yaml"
    assert run(tool("yamllint"), "-c", config, ROOT / "deploy", config).returncode == 0
    duplicate = planted(tmp_path, ROOT / "deploy/k8s/pdb.yaml", "  minAvailable: 1\n", "  minAvailable: 1\n  minAvailable: 2\n")
    assert run(tool("yamllint"), "-c", config, duplicate).returncode != 0


def test_replicas_share_a_cookie_secret_and_stay_sticky():
    deployment, service = ((ROOT / "deploy/k8s" / n).read_text() for n in ("deployment.yaml", "service.yaml"))
    compose = (ROOT / "deploy/compose.yaml").read_text()
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in deployment and "secretKeyRef" in deployment
    assert "STREAMLIT_SERVER_COOKIE_SECRET: ${STREAMLIT_COOKIE_SECRET:?" in compose  # compose refuses to start without it
    assert 'traefik.ingress.kubernetes.io/service.sticky.cookie: "true"' in service
    assert "loadbalancer.sticky.cookie=true" in compose
    for text in (compose, (ROOT / "deploy/k8s/traefik-values.yaml").read_text()):
        assert re.search(r"readTimeout[=:] ?3600s", text)  # Traefik 3's 60 s default would drop every websocket


def dockerfile_cmd() -> list[str]:
    line = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    return json.loads(line.removeprefix("CMD "))


def test_the_image_command_serves_the_app_and_reports_ready_once_tensorflow_is_in(tmp_path):
    cmd = dockerfile_cmd()
    assert cmd[:5] == ["python", "-m", "explorer.ui.serve", "run", "app.py"]
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags == {"--server.address": "0.0.0.0", "--server.port": "8501", "--server.headless": "true"}
    assert "EXPOSE 8501" in (ROOT / "Dockerfile").read_text()
    ready = tmp_path / "ready"
    env = {"LSTM_EXPLORER_READY_FILE": str(ready)}
    # The same launcher and `run app.py` as the image, on a free loopback port (the tests' own server start).
    with streamlit_server(launcher=cmd[2], env=env) as (url, proc, _started):
        deadline = time.time() + 120
        while not ready.exists():
            assert time.time() < deadline, "TensorFlow was not imported at start"
            assert proc.poll() is None
            time.sleep(0.2)
        port = url.rsplit(":", 1)[1]
        health = subprocess.run(
            [sys.executable, "-m", "explorer.ui.health", port], cwd=ROOT, env={"LSTM_EXPLORER_READY_FILE": str(ready)}
        )
        assert health.returncode == 0  # what the HEALTHCHECK and the readiness probe run
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and b'<div id="root">' in page.read()
    gone = subprocess.run([sys.executable, "-m", "explorer.ui.health", port], cwd=ROOT,
                          env={"LSTM_EXPLORER_READY_FILE": str(ready)})  # fmt: skip
    assert gone.returncode == 1  # no server: not ready


def test_the_image_holds_the_runtime_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile and "requirements-dev" not in dockerfile
    assert dockerfile.index("COPY requirements.txt") < dockerfile.index("COPY explorer")  # cache-friendly layers
    for copied in re.findall(r"^COPY (\S+) ", dockerfile, flags=re.M):
        assert (ROOT / copied).exists(), copied
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".venv-ci", "artifacts", "tests", "benchmarks", ".git"} <= set(ignored)
    assert re.search(r"^USER 10001$", dockerfile, flags=re.M) and "HEALTHCHECK" in dockerfile


def test_python_versions_the_wheels_support_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"  # tensorflow-cpu 2.21: wheels for 3.11–3.13 only
    assert "python:3.12" in (ROOT / "Dockerfile").read_text()


def test_the_deploy_guides_commands_match_the_files():
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    assert "docker build -t lstm-explorer ." in deploy and "-p 8501:8501" in deploy
    assert "docker compose -f deploy/compose.yaml up --build" in deploy
    assert (
        "kubectl apply -f deploy/k8s/" in deploy
        and "helm install traefik traefik/traefik -f deploy/k8s/traefik-values.yaml" in deploy
    )
    secret = re.search(r"kubectl create secret generic (\S+) --from-literal=(\w+)=", deploy)
    deployment = (ROOT / "deploy/k8s/deployment.yaml").read_text()
    assert secret and f"name: {secret[1]}" in deployment and f"key: {secret[2]}" in deployment
    assert (
        "image: lstm-explorer:latest" in deployment
        and "image: lstm-explorer:latest" in (ROOT / "deploy/compose.yaml").read_text()
    )
    assert "LSTM_EXPLORER_MEMORY_MB" in deploy and "reboot" in deploy.lower()
