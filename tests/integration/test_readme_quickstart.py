"""The README's quick start agrees with docs/getting-started.md (which test_getting_started.py runs block by
block) and with what `make setup` / `make demo` build and use. No engine: these read files and parse
commands only."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from provisioning.cli import build_parser
from provisioning.providers.custom_cloud.config import CONFIG_KEYS
from tests.support.doc_commands import fenced_blocks, headings, normalized, section, subsequence_gaps

REPO_ROOT = Path(__file__).resolve().parents[2]
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (REPO_ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
QUICK_START = "Use it in your own project"


@pytest.fixture(scope="module", autouse=True)
def pulumi_engine() -> None:
    """These tests read documents: they need no Pulumi engine (overrides the integration conftest's)."""


def _quick_start() -> list[str]:
    return [command for block in fenced_blocks(section(README, QUICK_START)) for command in block.commands()]


def _guide() -> list[str]:
    """The commands test_getting_started.py runs: every `bash` block of the guide, in order."""
    return [command for block in fenced_blocks(GUIDE) for command in block.commands()]


def test_make_demo_and_make_test_come_first_then_the_quick_start() -> None:
    first = fenced_blocks(README, lang=None)[0]
    assert [normalized(c) for c in first.commands()] == ["make demo", "make test"], first.text
    sections = [(line, title) for line, level, title in headings(README) if level == 2]
    assert sections[0][1] == QUICK_START, f"the first section of the README is {sections[0][1]!r}"
    assert first.line < sections[0][0], "the make commands must come before every section"


def test_every_quick_start_command_is_run_by_the_guide_test_in_the_same_order() -> None:
    quick = [normalized(c) for c in _quick_start()]
    guide = [normalized(c) for c in _guide()]
    assert len(quick) >= 10, f"the quick start has only {len(quick)} commands: {quick}"
    gaps = subsequence_gaps(quick, guide)
    assert not gaps, (
        "README commands that docs/getting-started.md does not run (or runs in another order); the guide's "
        "test runs every `bash` block there, so a command missing from it is untested:\n" + "\n".join(gaps)
    )
    for step in ("pulumi preview", "pulumi up --yes", "pulumi destroy --yes"):
        assert step in quick, f"the quick start never runs `{step}`"


def test_the_quick_start_program_is_the_guide_program() -> None:
    programs = [block.text for block in fenced_blocks(section(README, QUICK_START), lang="python")]
    heredoc = re.search(r"^cat >__main__\.py <<'EOF'\n(.*?)^EOF$", GUIDE, re.MULTILINE | re.DOTALL)
    assert heredoc, "docs/getting-started.md writes no __main__.py with a quoted heredoc"
    assert programs == [heredoc[1]], "the README's program differs from the one the guide writes and runs"
    compile(heredoc[1], "__main__.py", "exec")


def test_the_pinned_versions_in_the_docs_are_the_pins_of_the_toolchain_and_the_package() -> None:
    env_sh = (REPO_ROOT / "scripts" / "env.sh").read_text(encoding="utf-8")
    pinned = re.search(r'^export PULUMI_VERSION="(v[\d.]+)"', env_sh, re.MULTILINE)
    assert pinned, "scripts/env.sh pins no PULUMI_VERSION"
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = pyproject["project"]["dependencies"]
    assert f"pulumi=={pinned[1].lstrip('v')}" in dependencies, "the CLI and the pulumi package disagree"
    command_pin = next(d for d in dependencies if d.startswith("pulumi-command==")).split("==")[1]
    for name, text in (("README.md", section(README, QUICK_START)), ("docs/getting-started.md", GUIDE)):
        versions = set(re.findall(r"\bv3\.\d+\.\d+\b", text))
        assert versions == {pinned[1]}, f"{name} names Pulumi {versions}, the toolchain is {pinned[1]}"
        installs = re.findall(r"pulumi plugin install resource command (\S+)", _flat(text))
        assert installs and set(installs) == {command_pin}, f"{name} installs command plugin {installs}"


def test_the_toolchain_paths_in_the_docs_are_where_make_setup_puts_them() -> None:
    env_sh = (REPO_ROOT / "scripts" / "env.sh").read_text(encoding="utf-8")
    toolchain = (REPO_ROOT / "scripts" / "toolchain.sh").read_text(encoding="utf-8")
    assert 'TOOLS="${TOOLS:-$PROJECT_ROOT/.tools}"' in env_sh
    assert 'BIN="$TOOLS/bin"' in toolchain and 'BUILD="$TOOLS/build"' in toolchain
    assert '--file "$BUILD/pulumi-resource-command"' in toolchain, "make setup registers another file"
    for text in (_flat(section(README, QUICK_START)), _flat(GUIDE)):
        assert 'export PATH="$PROVISIONING_CHECKOUT/.tools/bin:$PATH"' in text
        assert '--file "$PROVISIONING_CHECKOUT/.tools/build/pulumi-resource-command"' in text
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^setup: .*\btoolchain\b", makefile, re.MULTILINE), "make setup builds no toolchain"
    assert re.search(r"^demo: setup\b", makefile, re.MULTILINE), "make demo does not run make setup first"


def test_the_docs_configure_the_keys_make_demo_sets_and_the_provider_reads() -> None:
    demo = (REPO_ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")
    for key in ("custom-cloud:apiUrl", "custom-cloud:apiKey"):
        assert key in demo, f"make demo no longer sets {key}"
        assert key in {stack_key for stack_key, _env in CONFIG_KEYS.values()}, f"the provider reads no {key}"
        for command in (*_quick_start(), *_guide()):
            if "pulumi config set" in command and key in command:
                break
        else:
            raise AssertionError(f"the docs never `pulumi config set {key}`")
    set_keys = {
        word
        for command in (*_quick_start(), *_guide())
        if command.startswith("pulumi config set")
        for word in shlex.split(command)
        if word.startswith("custom-cloud:")
    }
    assert set_keys <= {stack_key for stack_key, _env in CONFIG_KEYS.values()}, set_keys


def test_the_provisioning_commands_in_the_docs_parse() -> None:
    """Every `provisioning …` command of the quick start and the guide is one the CLI accepts."""
    parser = build_parser()
    found = 0
    for command in (*_quick_start(), *_guide()):
        for match in re.finditer(r"(?:^|\$\()provisioning (cloud [^)>&|\n]*)", command):
            words = shlex.split(match[1].replace('"$CC_PORT"', "8787"))
            try:
                parser.parse_args(words)
            except SystemExit as exc:  # argparse's answer to an unknown option or value
                raise AssertionError(f"`provisioning {match[1]}` does not parse (see above)") from exc
            found += 1
    assert found >= 4, f"only {found} `provisioning` commands found in the docs"


def test_the_guide_and_the_cli_agree_on_the_default_port() -> None:
    settings = fenced_blocks(GUIDE)[0].text
    port = re.search(r"^CC_PORT=(\d+)", settings, re.MULTILINE)
    assert port, "the guide's first block sets no CC_PORT"
    assert build_parser().parse_args(["cloud", "serve"]).port == int(port[1])
    assert "8787" in (REPO_ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """`text` with every run of whitespace (line breaks in prose included) made one space."""
    return " ".join(text.split())
