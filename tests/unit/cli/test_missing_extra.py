"""A command that needs an optional extra the user did not install names the extra and how to install it,
instead of a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from provisioning.cli import main
from provisioning.cli._extras import missing_extra_message


def test_cloud_serve_without_the_cloud_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` now fails as if not installed
    status = main(["cloud", "serve", "--port", "0", "--state", str(tmp_path / "c.db"), "--hosts", "record"])
    err = capsys.readouterr().err
    assert status == 2
    assert "this command needs 'uvicorn', part of the `cloud` extra: pip install 'provisioning[cloud]'" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written: no state, no key file


@pytest.mark.parametrize(
    ("module", "extra"), [("fastapi", "cloud"), ("twine", "extensions"), ("pypiserver", "extensions")]
)
def test_each_extras_modules_name_their_extra(module: str, extra: str) -> None:
    message = missing_extra_message(ModuleNotFoundError(f"No module named '{module}'", name=module))
    assert message is not None and f"pip install 'provisioning[{extra}]'" in message


def test_a_module_of_no_extra_is_left_to_raise() -> None:
    assert missing_extra_message(ModuleNotFoundError("No module named 'nowhere'", name="nowhere")) is None
