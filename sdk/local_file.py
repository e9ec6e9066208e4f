"""LocalFile: a file on the machine that runs `pulumi up`, as a dynamic resource.

Handy for rendering configuration next to a stack, and the smallest real dynamic provider the
package ships (the engine tests use it to prove that providers imported from the installed package
work end to end: create, refresh drift, update, delete).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

__all__ = ["LocalFile", "LocalFileProvider"]


def _sha256(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def _write(path: str, content: str, mode: int) -> dict[str, Any]:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(content)
    os.chmod(temporary, mode)
    os.replace(temporary, target)
    return {"path": path, "content": content, "mode": mode, "sha256": _sha256(content)}


class LocalFileProvider(ResourceProvider):
    """Writes, reads and removes one local file; holds no state of its own (stays picklable)."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        path = news.get("path")
        if not isinstance(path, str) or not os.path.isabs(path):
            failures.append(CheckFailure("path", f"path must be an absolute path (got {path!r})"))
        mode = news.get("mode", 0o644)
        if isinstance(mode, float) and mode.is_integer():  # numbers cross the engine as floats
            mode = int(mode)
        if not isinstance(mode, int) or not 0 <= mode <= 0o777:
            failures.append(
                CheckFailure("mode", f"mode must be a permission between 0 and 0o777 (got {mode!r})")
            )
        return CheckResult({**news, "mode": mode}, failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = _write(props["path"], props["content"], int(props["mode"]))
        return CreateResult(id_=props["path"], outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in ("path", "content", "mode") if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed), replaces=["path"] if "path" in changed else [])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=_write(news["path"], news["content"], int(news["mode"])))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        target = Path(id_)
        if not target.exists():
            return ReadResult(id_="", outs={})
        content = target.read_text()
        mode = target.stat().st_mode & 0o777
        return ReadResult(
            id_=id_, outs={"path": id_, "content": content, "mode": mode, "sha256": _sha256(content)}
        )

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        Path(id_).unlink(missing_ok=True)


class LocalFile(Resource, module="provisioning", name="LocalFile"):
    """A file with the given content; `content` is kept secret in state when it is a secret input."""

    path: pulumi.Output[str]
    """Absolute path of the file."""
    content: pulumi.Output[str]
    """The file's content."""
    mode: pulumi.Output[int]
    """Permission bits."""
    sha256: pulumi.Output[str]
    """SHA-256 of the content (safe to export even when the content is secret)."""

    def __init__(
        self,
        resource_name: str,
        *,
        path: pulumi.Input[str],
        content: pulumi.Input[str],
        mode: pulumi.Input[int] = 0o644,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=["content"])
        super().__init__(
            LocalFileProvider(),
            resource_name,
            {"path": path, "content": content, "mode": mode, "sha256": None},
            pulumi.ResourceOptions.merge(secret_outputs, opts),
        )
