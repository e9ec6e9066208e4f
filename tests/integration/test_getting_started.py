"""docs/getting-started.md as a user runs it: every `bash` block, in order, in one shell, in a folder outside
the repository, with a fresh virtualenv and a regular (not editable) install of the checkout.

What the test sets, and nothing else:
- the two settings of the page's step 0: `PROVISIONING_CHECKOUT` (a clean copy of this checkout: its
  tracked and new files, without `.venv`, `.state` or build output, with `.tools` linked to the checkout's
  own, i.e. a clone after `make setup`) and `CC_PORT` (a free port);
- the environment: `HOME` and `TMPDIR` in the test's temporary folder, `PULUMI_HOME` there too (Pulumi takes
  its home from the user database, not from `HOME`, and must not touch the developer's), `PATH` without the
  checkout's `.venv/bin` and `.tools/bin`, the machine's `PIP_*` settings with its pip cache, and two
  switches that keep the run off the network whatever the page says: no update check, no plugin download
  (so a program that needed the `command` plugin would fail here instead of fetching it).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.doc_commands import fenced_blocks
from tests.support.shell_session import ShellSession

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC = REPO_ROOT / "docs" / "getting-started.md"
SETTINGS = ("PROVISIONING_CHECKOUT", "CC_PORT")
"""The variables of the page's first block that the test sets to its own values."""
PROJECT = "my-infra"
STACK = "dev"
SERVERS = {"web-1", "web-2"}
RESOURCES = ("Network net", "Subnet subnet", "Server web-1", "Server web-2")
"""`<type> <name>` of the resources the page's program declares."""

pytestmark = pytest.mark.engine


def test_getting_started_runs_as_written(tmp_path: Path) -> None:
    blocks = [block.text for block in fenced_blocks(DOC.read_text(encoding="utf-8"))]
    port = _free_port()
    checkout = _clean_checkout(tmp_path / "checkout")
    blocks[0] = _with_settings(blocks[0], PROVISIONING_CHECKOUT=str(checkout), CC_PORT=str(port))
    index = {step: _only_block(blocks, step) for step in ("pulumi preview", "pulumi up", "pulumi destroy")}
    assert index["pulumi preview"] < index["pulumi up"] < index["pulumi destroy"] < len(blocks) - 1, (
        "the page must preview, then up, then destroy, then stop the local Custom Cloud in a later block"
    )

    home = tmp_path / "home"
    project = home / PROJECT
    (tmp_path / "tmp").mkdir()
    home.mkdir()
    api = f"http://127.0.0.1:{port}/v1"
    outputs: dict[int, str] = {}
    timings: list[str] = []
    key = ""
    with ShellSession(home, _environment(tmp_path), tmp_path) as shell:
        for number, block in enumerate(blocks):
            name = f"block {number + 1} of {len(blocks)} ({block.strip().splitlines()[0][:60]!r})"
            result = shell.run(block, name=name, timeout=420)
            outputs[number] = result.output
            timings.append(f"{result.seconds:6.1f} s  {name}")
            if not key and (project / ".cc" / "cloud.db.key").exists():
                key = (project / ".cc" / "cloud.db.key").read_text(encoding="utf-8").strip()
                shell.secrets.append(key)
            if number == index["pulumi preview"]:
                _assert_preview(shell.redact(result.output))
            elif number == index["pulumi up"]:
                assert key, "the local Custom Cloud wrote no key file at .cc/cloud.db.key before `pulumi up`"
                _assert_up(shell.redact(result.output), api, key)
            elif number == index["pulumi destroy"]:
                _assert_destroyed(shell.redact(result.output), api, key, project)
        transcript = "".join(shell.transcript)
        (tmp_path / "transcript.txt").write_text(shell.redact(transcript), encoding="utf-8")
    print(
        "\n".join([f"docs/getting-started.md, block by block (output: {tmp_path}/transcript.txt):", *timings])
    )

    _assert_stopped(port)
    assert key, "the key file .cc/cloud.db.key was never written"
    places = {
        "the shell's output": transcript,
        "the service's log": _text(project / ".cc" / "serve.log"),
        "the provider log": _text(
            tmp_path / "home" / ".local" / "state" / "provisioning" / "logs" / "providers.log"
        ),
        "Pulumi.dev.yaml": _text(project / f"Pulumi.{STACK}.yaml"),
        "the stack's state": _text(_state_file(project)),
    }
    leaks = [place for place, text in places.items() if key in text]
    assert not leaks, f"the API key appears in plain text in: {', '.join(leaks)}"
    assert "custom-cloud:apiKey:\n    secure:" in places["Pulumi.dev.yaml"], "the key is not stored encrypted"
    assert "(new, mode 0600)" in places["the service's log"], "the key file was not announced as made 0600"


# -- the steps -----------------------------------------------------------------------------------------------


def _assert_preview(output: str) -> None:
    for resource in RESOURCES:
        kind, name = resource.split()
        assert re.search(rf"\+\s+pulumi-python:dynamic/custom-cloud:{kind}\s+{name}\s+create", output), (
            f"the preview does not create {resource}:\n{output[-4000:]}"
        )
    assert re.search(r"\+ 5 to create", output), f"the preview does not end with `+ 5 to create`:\n{output}"
    cost = "estimated hourly cost: 0.1400 USD (custom-cloud:Server 0.1400)"
    assert cost in output, f"the preview does not show `{cost}`:\n{output}"
    assert re.search(r"estimated_cost: \{", output), f"the preview shows no estimated_cost output:\n{output}"


def _assert_up(output: str, api: str, key: str) -> None:
    assert "5 created" in output, f"`pulumi up` did not create the stack and 4 resources:\n{output[-6000:]}"
    network_id = re.search(r"network_id\s+(net-[0-9a-f]+)", output)
    private_ips = re.search(r"private_ips\s+(\[.*\])", output)
    assert network_id and private_ips, f"`pulumi stack output` shows no network_id and private_ips:\n{output}"
    with _api(api, key) as client:
        servers = client.get("/instances").raise_for_status().json()["items"]
        networks = client.get("/networks").raise_for_status().json()["items"]
    assert {server["name"] for server in servers} == SERVERS, f"the API lists {servers}"
    assert {server["status"] for server in servers} == {"running"}
    assert {server["vpc"] for server in servers} == {network_id[1]}
    assert sorted(server["private_ip"] for server in servers) == sorted(json.loads(private_ips[1]))
    assert [network["id"] for network in networks] == [network_id[1]]
    for server in servers:  # `provisioning cloud list`, from the stack's config
        row = rf"instance\s+{server['id']}\s+{server['name']}\s+running\s+us-west-1a\s+small\s+"
        row += rf"private {server['private_ip']}"
        assert re.search(row, output), f"`provisioning cloud list` does not list {server['name']}:\n{output}"
    assert re.search(rf"network\s+{network_id[1]}\s+net\s+", output), output
    assert re.search(r": instances 2, networks 1, subnets 1, load-balancers 0, volumes 0", output), output


def _assert_destroyed(output: str, api: str, key: str, project: Path) -> None:
    assert "5 deleted" in output, f"`pulumi destroy` did not delete everything:\n{output[-6000:]}"
    empty = f"{api}: nothing (no instances, networks, subnets, load balancers or volumes)"
    assert empty in output, f"`provisioning cloud list` does not say `{empty}`:\n{output[-3000:]}"
    with _api(api, key) as client:
        left = {kind: client.get(f"/{kind}").raise_for_status().json()["items"] for kind in _KINDS}
    assert not any(left.values()), f"the API still lists {left}"
    deployment = json.loads(_state_file(project).read_text(encoding="utf-8"))["checkpoint"]
    assert not (deployment.get("latest") or {}).get("resources"), "the stack's state still holds resources"


_KINDS = ("instances", "networks", "subnets", "load-balancers", "volumes")


def _assert_stopped(port: int) -> None:
    """The page's last block stopped the service: nothing answers on its port (it may take a moment)."""
    deadline = time.monotonic() + 15
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return
        assert time.monotonic() < deadline, f"the local Custom Cloud still answers on port {port}"
        time.sleep(0.2)


# -- set-up --------------------------------------------------------------------------------------------------


def _with_settings(block: str, **values: str) -> str:
    """The first block with each setting's value replaced; each must be assigned there exactly once."""
    assert set(values) == set(SETTINGS)
    for name, value in values.items():
        pattern = re.compile(rf"^{name}=\S*", re.MULTILINE)
        assert len(pattern.findall(block)) == 1, f"the page's first block must set {name}= once:\n{block}"
        block = pattern.sub(_literal(f"{name}={shlex.quote(value)}"), block)
    return block


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for `re.sub` that inserts `text` as it is (no backslash or group escapes)."""
    return lambda _match: text


def _only_block(blocks: list[str], command: str) -> int:
    """The index of the one block that runs `command` (as a command, not in a comment)."""
    found = [
        number
        for number, block in enumerate(blocks)
        if re.search(rf"^\s*{re.escape(command)}(\s|$)", block, re.MULTILINE)
    ]
    assert len(found) == 1, f"expected `{command}` in one block of {DOC.name}, found it in {len(found)}"
    return found[0]


def _clean_checkout(target: Path) -> Path:
    """A copy of the checkout as a fresh clone after `make setup` has it: the files git tracks or would
    (new, not ignored), and `.tools` (the pinned toolchain) linked to the checkout's."""
    listed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # deleted in the work tree but still in the index: left out, as git would
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    tools = REPO_ROOT / ".tools"
    assert (tools / "bin" / "pulumi").exists(), "no pinned toolchain in .tools/bin: run `make setup` first"
    (target / ".tools").symlink_to(tools)
    return target


def _environment(tmp_path: Path) -> dict[str, str]:
    """The shell's environment: a user's, not this repository's (see the module docstring)."""
    own = {str(REPO_ROOT / ".venv" / "bin"), str(REPO_ROOT / ".tools" / "bin")}
    if os.environ.get("VIRTUAL_ENV"):
        own.add(str(Path(os.environ["VIRTUAL_ENV"]) / "bin"))
    path = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and entry not in own]
    pip = {name: value for name, value in os.environ.items() if name.startswith("PIP_")}
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
    pip.setdefault("PIP_CACHE_DIR", str(cache))
    return {
        **pip,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PATH": os.pathsep.join(path),
        "HOME": str(tmp_path / "home"),
        "TMPDIR": str(tmp_path / "tmp"),
        "PULUMI_HOME": str(tmp_path / "home" / ".pulumi"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "LANG": "C.UTF-8",
    }


# -- helpers -------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _api(url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=10)


def _state_file(project: Path) -> Path:
    found = list((project / ".pulumi-state" / ".pulumi" / "stacks").glob(f"*/{STACK}.json"))
    assert len(found) == 1, f"expected one state file of stack {STACK} under .pulumi-state, found {found}"
    return found[0]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
