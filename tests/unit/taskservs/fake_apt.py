"""A stand-in for apt-get, apt-mark and dpkg-query (`fake_apt.py TOOL ARGS...`) over a JSON state
file (`$FAKE_APT_STATE`): `installed` (name → manual or auto) and `depends` (name → names). Enough of their
command lines for the task services' package helpers (taskservice/packages.sh.j2)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _options_dropped(args: list[str]) -> list[str]:
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif not arg.startswith("-"):
            kept.append(arg)
    return kept


def _needed(state: dict) -> set[str]:
    """Every installed package a manual one reaches through dependencies."""
    reached, todo = set(), [p for p, how in state["installed"].items() if how == "manual"]
    while todo:
        package = todo.pop()
        if package not in reached and package in state["installed"]:
            reached.add(package)
            todo.extend(state["depends"].get(package, []))
    return reached


def apt_get(state: dict, args: list[str]) -> int:
    command, *packages = _options_dropped(args)
    if command == "install":
        for package in packages:
            state["installed"][package] = "manual"
            todo = list(state["depends"].get(package, []))
            while todo:
                dep = todo.pop()
                if dep not in state["installed"]:
                    state["installed"][dep] = "auto"
                    todo.extend(state["depends"].get(dep, []))
    elif command == "purge":
        for package in packages:
            state["installed"].pop(package, None)
    elif command == "autoremove":  # only ever simulated (-s) by the helpers
        for package in sorted(set(state["installed"]) - _needed(state)):
            print(f"Remv {package} [1.0]")
    return 0


def apt_mark(state: dict, args: list[str]) -> int:
    how, *packages = args
    for package in packages:
        if package in state["installed"]:
            state["installed"][package] = how
    return 0


def dpkg_query(state: dict, args: list[str]) -> int:
    names = _options_dropped([a for a in args if not a.startswith("-f")])
    if names:  # have_package: the status of one
        print("installed" if names[0] in state["installed"] else "not-installed", end="")
        return 0
    for package in state["installed"]:
        print(f"installed {package}")
    return 0


def main() -> int:
    path = Path(os.environ["FAKE_APT_STATE"])
    state = json.loads(path.read_text())
    tool = {"apt-get": apt_get, "apt-mark": apt_mark, "dpkg-query": dpkg_query}[sys.argv[1]]
    code = tool(state, sys.argv[2:])
    path.write_text(json.dumps(state))
    return code


if __name__ == "__main__":
    sys.exit(main())
