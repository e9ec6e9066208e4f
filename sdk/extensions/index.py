"""Package indexes that pip reads (PEP 503 "simple" pages), as a list of `IndexFile`s per project: a local
directory index that this module writes (each file's SHA-256 recorded once, when it is published) and any
HTTP index (`provisioning registry serve`). Imports no Pulumi."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from .project import normalized

__all__ = [
    "IndexFile",
    "distribution_of",
    "is_remote",
    "project_files",
    "write_directory_index",
]


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One file of one project on an index."""

    filename: str
    """`acme_cache-1.0.0-py3-none-any.whl`."""
    url: str
    """Where to download it (a `file://` or `http(s)://` URL)."""
    sha256: str | None
    """The SHA-256 the index states for it (hex), None when it states none."""

    @property
    def version(self) -> str:
        """The version in its name."""
        return distribution_of(self.filename)[1]


def distribution_of(filename: str) -> tuple[str, str]:
    """(normalized name, version) of a wheel or sdist file name; ValueError for anything else."""
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename) as exc:
        raise ValueError(f"{filename!r} is not a wheel or sdist file name: {exc}") from None
    return str(name), str(version)


def is_remote(index: str) -> bool:
    """The index is an HTTP(S) URL (else a local folder)."""
    return urlsplit(index).scheme in ("http", "https")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _files_of_page(page: str, base: str) -> list[IndexFile]:
    parser = _Links()
    parser.feed(page)
    found = []
    for href in parser.hrefs:
        url, _, fragment = href.partition("#")
        filename = unquote(url.rstrip("/").rsplit("/", 1)[-1])
        algorithm, _, digest = fragment.partition("=")
        try:
            distribution_of(filename)
        except ValueError:
            continue
        found.append(IndexFile(filename, urljoin(base, url), digest if algorithm == "sha256" else None))
    return found


def _folder(index: str) -> Path:
    return Path(index.removeprefix("file://")).expanduser().resolve()


def project_files(index: str, project: str) -> list[IndexFile]:
    """Every file of `project` on `index` (a folder or an HTTP URL of a simple index); [] if none."""
    name = normalized(project)
    if not is_remote(index):
        page = _folder(index) / name / "index.html"
        if not page.is_file():
            return []
        return _files_of_page(page.read_text(encoding="utf-8"), page.parent.as_uri() + "/")
    url = index.rstrip("/") + f"/{name}/"
    try:
        response = httpx.get(url, follow_redirects=True, timeout=30)
    except httpx.TransportError as exc:
        raise ConnectionError(f"GET {url}: the index does not answer ({exc})") from exc
    if response.status_code == 404:
        return []
    response.raise_for_status()
    return _files_of_page(response.text, str(response.url))


def _page(title: str, links: list[tuple[str, str]]) -> str:
    rows = "\n".join(f'    <a href="{html.escape(href)}">{html.escape(text)}</a><br>' for href, text in links)
    return (
        '<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.0">'
        f"<title>{html.escape(title)}</title></head>\n  <body>\n{rows}\n  </body>\n</html>\n"
    )


def write_directory_index(index: str, project: str, added: list[tuple[Path, str]]) -> None:
    """Copy `added` (file, sha256) into the folder index and record them on the project's page, keeping
    the hashes recorded for files published before (a file changed since then no longer matches)."""
    root = _folder(index)
    name = normalized(project)
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    recorded = {f.filename: f.sha256 or "" for f in project_files(index, project)}
    for path, digest in added:
        target = folder / path.name
        tmp = target.with_name(f".{path.name}.partial")
        tmp.write_bytes(path.read_bytes())
        os.replace(tmp, target)
        recorded[path.name] = digest
    links = [(f"{filename}#sha256={digest}", filename) for filename, digest in sorted(recorded.items())]
    (folder / "index.html").write_text(_page(f"Links for {name}", links), encoding="utf-8")
    projects = sorted(p.name for p in root.iterdir() if (p / "index.html").is_file())
    (root / "index.html").write_text(
        _page("Simple index", [(f"{p}/", p) for p in projects]), encoding="utf-8"
    )
