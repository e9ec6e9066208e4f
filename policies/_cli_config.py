"""Internal: the `--policy-pack-config` files the `pulumi` command gave this pack, from its command line.

The CLI refuses a configuration entry naming a rule the pack lacks, unless the entry sets `enforcementLevel`,
with `invalid enforcement level ""` before the pack is told anything. The pack reads the files itself, from
the command line of the `pulumi` process that runs it (an ancestor on Linux), so it can name the key first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .config import PackConfigError

__all__ = ["cli_pack_config", "config_files_for"]

_PACK_FLAG = "--policy-pack"
_CONFIG_FLAG = "--policy-pack-config"
_ANCESTORS = 4
"""How far up the process tree `pulumi` is looked for (it runs the language host, which runs the pack)."""


def _flag_values(argv: Sequence[str], flag: str) -> list[str]:
    values: list[str] = []
    for index, arg in enumerate(argv):
        if arg == flag and index + 1 < len(argv):
            values.append(argv[index + 1])
        elif arg.startswith(flag + "="):
            values.append(arg.removeprefix(flag + "="))
    return values


def config_files_for(pack_dir: Path, argv: Sequence[str], cwd: Path) -> list[Path]:
    """The config files `pulumi` (`argv`, run in `cwd`) pairs with the pack at `pack_dir`: the n-th
    `--policy-pack-config` goes with the n-th `--policy-pack`."""
    packs = _flag_values(argv, _PACK_FLAG)
    configs = _flag_values(argv, _CONFIG_FLAG)
    target = pack_dir.resolve()
    return [
        (cwd / config).resolve()
        for pack, config in zip(packs, configs, strict=False)
        if (cwd / pack).resolve() == target
    ]


def _ancestors(proc: Path) -> Iterator[tuple[list[str], Path]]:
    """(argv, cwd) of each ancestor process, nearest first, as far as /proc shows them."""
    pid = os.getppid()
    for _ in range(_ANCESTORS):
        try:
            argv = (proc / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")
            cwd = Path(os.readlink(proc / str(pid) / "cwd"))
            stat = (proc / str(pid) / "stat").read_text()
        except OSError:
            return
        yield [arg for arg in argv if arg], cwd
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid <= 1:
            return


def _entries(path: Path) -> dict[str, dict[str, Any]]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackConfigError(f"{path}: not a readable JSON policy pack configuration ({exc})") from None
    if not isinstance(loaded, dict):
        raise PackConfigError(f"{path}: a policy pack configuration is a JSON object of rule names")
    return {
        str(rule): {"enforcementLevel": value} if isinstance(value, str) else dict(value or {})
        for rule, value in loaded.items()
    }


def cli_pack_config(pack_dir: Path, *, proc: Path = Path("/proc")) -> dict[str, dict[str, Any]]:
    """The entries ({rule: {enforcementLevel, …settings}}) of the config files the `pulumi` command that runs
    this process gave the pack at `pack_dir`; empty where there are none or no /proc to find them in."""
    for argv, cwd in _ancestors(proc):
        if argv and os.path.basename(argv[0]) == "pulumi" and _PACK_FLAG in " ".join(argv):
            merged: dict[str, dict[str, Any]] = {}
            for path in config_files_for(pack_dir, argv, cwd):
                merged.update(_entries(path))
            return merged
    return {}
