"""The program process ends at once, quietly, on the engine's cancellation (SIGINT)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from provisioning.sdk._cancel import (
    EXIT_AFTER_MESSAGE,
    LANGUAGE_HOST_EXEC,
    exit_on_cancel,
    install_cancel_exit,
)


def test_the_language_host_reads_the_exit_status_as_message_shown() -> None:
    """The pinned language host's script has the name and the "message shown" status the SDK relies on."""
    script = shutil.which(LANGUAGE_HOST_EXEC)
    assert script, f"{LANGUAGE_HOST_EXEC} is not on PATH: run `make setup` and `source scripts/env.sh`"
    text = Path(script).read_text(encoding="utf-8")
    status = r"^PYTHON_PROCESS_EXITED_AFTER_SHOWING_USER_ACTIONABLE_MESSAGE_CODE = (\d+)$"
    found = re.search(status, text, re.MULTILINE)
    assert found and int(found[1]) == EXIT_AFTER_MESSAGE, "the language host changed: update sdk/_cancel.py"
    assert "executor.shutdown(wait=True)" in text


def test_nothing_is_installed_outside_the_program_process() -> None:
    """Outside Pulumi's program process the SIGINT handler stays what it was (Python's default, or ignored
    when the test run itself was started in the background)."""
    before = signal.getsignal(signal.SIGINT)
    assert install_cancel_exit() is False
    assert signal.getsignal(signal.SIGINT) is before
    assert before is not exit_on_cancel


def test_sigint_ends_a_blocked_process_at_once_with_its_output_flushed(tmp_path: Path) -> None:
    """A non-daemon thread blocked for good (the unanswered registration) keeps nothing waiting."""
    code = (
        "import signal, sys, threading, time\n"
        "from provisioning.sdk._cancel import exit_on_cancel\n"
        "signal.signal(signal.SIGINT, exit_on_cancel)\n"
        "threading.Thread(target=threading.Event().wait).start()\n"
        "sys.stdout.write('written before the cancel'); print('ready', file=sys.stderr, flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None and process.stderr.readline().strip() == "ready"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=5)
    assert process.returncode == EXIT_AFTER_MESSAGE
    assert stdout == "written before the cancel" and "Traceback" not in stderr
