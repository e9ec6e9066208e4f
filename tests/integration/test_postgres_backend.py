"""State in Pulumi's PostgreSQL DIY backend, on a real PostgreSQL server."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.support.postgres import running_postgres
from tests.support.pulumi_cli import PulumiProject

pytestmark = pytest.mark.engine

SECRET = "pg-backend-secret-value-42"


def test_up_and_destroy_with_state_in_postgres(tmp_path: Path, repo_root: Path) -> None:
    with running_postgres() as postgres:
        project = PulumiProject.copy_of(
            repo_root / "examples" / "hello", tmp_path / "hello", PULUMI_BACKEND_URL=postgres.url
        )
        project.config_set("token", SECRET, secret=True)
        project.config_set("outDir", str(tmp_path / "out"))
        project.up()

        keys = postgres.psql("select key from pulumi_state order by key").splitlines()
        assert any(key.endswith("/hello/test.json") for key in keys), keys
        row = postgres.psql("select data::text from pulumi_state where key like '%/hello/test.json'")
        state = base64.b64decode(json.loads(row)["data"]).decode()  # the blob driver stores bytes as base64
        assert "provisioning:LocalFile" in state
        assert SECRET not in state, "the secret is in the PostgreSQL state in plaintext"
        assert project.outputs()["token_length"] == str(len(SECRET))

        project.preview("--expect-no-changes")
        project.destroy()
        assert project.resources() == []
        assert not (tmp_path / "out" / "motd.txt").exists()
        assert not (tmp_path / "hello" / ".state" / ".pulumi").exists(), (
            "state must not go to the file backend"
        )
