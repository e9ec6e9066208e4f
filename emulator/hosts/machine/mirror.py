"""The Debian mirror this machine's apt uses, read from its sources at run time (never written down).

Standard library only: the image scripts run this file with the system's `python3` before any venv exists
(`python3 mirror.py image|debootstrap|direct`), and the machine host backend imports it to configure the
package cache, so the image's sources and the cache's upstreams always come from the same reading.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["CACHE_HOST", "CACHE_PORT", "RELEASE", "Repository", "debian_repositories", "main_uri"]

RELEASE = "bookworm"
"""The Debian release of the machines' image (Debian 12)."""
CACHE_HOST = "package-cache"
"""The name the image's apt sources use for the package cache; each machine's `/etc/hosts` maps it to the
cache's address on the local cloud's bridge."""
CACHE_PORT = 3142
"""The package cache's port."""
SOURCES = Path("/etc/apt")


@dataclass(frozen=True, slots=True)
class Repository:
    """One upstream Debian archive of this machine's apt (e.g. the main archive, the security archive)."""

    uri: str
    """The upstream URI as apt is configured with it (http or https)."""
    suites: tuple[str, ...]
    """Suites of the release served from it (`bookworm`, `bookworm-updates`, `bookworm-security`)."""
    components: tuple[str, ...]
    """Components (`main`, …)."""
    path: str
    """The path under which the cache serves it (`/debian`, `/debian-security`): the URI's own path."""


def _deb822(text: str) -> list[dict[str, str]]:
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for raw in [*text.splitlines(), ""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if current:
                stanzas.append(current)
            current, key = {}, ""
            continue
        if raw[0].isspace() and key:
            current[key] += " " + raw.strip()
            continue
        name, _, value = raw.partition(":")
        key = name.strip().lower()
        current[key] = value.strip()
    return stanzas


def _entries(root: Path) -> list[tuple[str, list[str], list[str]]]:
    """(uri, suites, components) of every enabled binary source of apt under `root`."""
    found: list[tuple[str, list[str], list[str]]] = []
    one_line = [root / "sources.list", *sorted((root / "sources.list.d").glob("*.list"))]
    for path in one_line:
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            words = line.split("#", 1)[0].split()
            if len(words) < 3 or words[0] != "deb":
                continue
            words = [w for w in words[1:] if not (w.startswith("[") or w.endswith("]") or "=" in w)]
            if len(words) >= 2:
                found.append((words[0], [words[1]], words[2:]))
    for path in sorted((root / "sources.list.d").glob("*.sources")):
        for stanza in _deb822(path.read_text()):
            if "deb" not in stanza.get("types", "").split() or stanza.get("enabled", "yes") == "no":
                continue
            suites, components = stanza.get("suites", "").split(), stanza.get("components", "").split()
            for uri in stanza.get("uris", "").split():
                found.append((uri, suites, components))
    return found


def debian_repositories(root: Path = SOURCES) -> list[Repository]:
    """The archives apt here takes this release from, in the order apt lists them (the main one first)."""
    merged: dict[str, tuple[list[str], list[str]]] = {}
    for uri, suites, components in _entries(root):
        ours = [
            s for s in suites if s == RELEASE or s.startswith(RELEASE + "-") or s.startswith(RELEASE + "/")
        ]
        if not ours or urlsplit(uri).scheme not in ("http", "https"):
            continue
        have = merged.setdefault(uri.rstrip("/"), ([], []))
        have[0].extend(s for s in ours if s not in have[0])
        have[1].extend(c for c in components if c not in have[1])
    repos: list[Repository] = []
    used: set[str] = set()
    for uri, (suites, components) in merged.items():
        path = urlsplit(uri).path.rstrip("/") or "/debian"
        base, n = path, 1
        while path in used:
            n += 1
            path = f"{base}-{n}"
        used.add(path)
        repos.append(Repository(uri, tuple(suites), tuple(components or ["main"]), path))
    repos.sort(key=lambda r: RELEASE not in r.suites)
    if not repos or RELEASE not in repos[0].suites:
        raise LookupError(f"apt here has no http(s) source for Debian {RELEASE} (read {root}/sources.list*)")
    return repos


def main_uri(root: Path = SOURCES) -> str:
    """The archive that holds the release itself (what debootstrap installs from)."""
    return debian_repositories(root)[0].uri


def _image_sources(repos: list[Repository]) -> str:
    lines = ["# Debian through the local cloud's package cache (on its bridge); see docs/machine-hosts.md"]
    for repo in repos:
        for suite in repo.suites:
            lines.append(
                f"deb http://{CACHE_HOST}:{CACHE_PORT}{repo.path} {suite} {' '.join(repo.components)}"
            )
    return "\n".join(lines) + "\n"


def _direct_sources(repos: list[Repository]) -> str:
    lines = ["# Debian from the mirror apt uses on this machine (an image being built)"]
    for repo in repos:
        for suite in repo.suites:
            lines.append(f"deb {repo.uri} {suite} {' '.join(repo.components)}")
    return "\n".join(lines) + "\n"


def _main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else ""
    try:
        repos = debian_repositories()
    except LookupError as exc:
        print(f"mirror: {exc}", file=sys.stderr)
        return 1
    if what == "debootstrap":
        print(repos[0].uri)
    elif what == "image":
        print(_image_sources(repos), end="")
    elif what == "direct":
        print(_direct_sources(repos), end="")
    else:
        print("usage: mirror.py debootstrap|image|direct", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
