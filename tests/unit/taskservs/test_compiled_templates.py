"""Compiled templates are kept between runs (Jinja2's bytecode cache) and render exactly as freshly
compiled ones; an edited template is compiled again, never served stale."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache

from provisioning.sdk.taskservice.templates import COMPILED_TEMPLATES, TemplateLibrary


def _library(folder: Path, cache: Path) -> TemplateLibrary:
    library = TemplateLibrary(folder)
    library.environment.bytecode_cache = FileSystemBytecodeCache(str(cache))
    return library


def test_every_library_shares_the_cache() -> None:
    assert isinstance(COMPILED_TEMPLATES, FileSystemBytecodeCache)
    assert TemplateLibrary(Path("/nonexistent")).environment.bytecode_cache is COMPILED_TEMPLATES


def test_a_cached_template_renders_as_a_fresh_one_and_an_edit_is_seen(tmp_path: Path) -> None:
    folder, cache = tmp_path / "templates", tmp_path / "cache"
    folder.mkdir()
    cache.mkdir()
    (folder / "t.sh.j2").write_text("echo {{ word | sh }}\n")
    first = _library(folder, cache).step("t.sh.j2", step="configure", service="svc", word="it's")
    assert list(cache.iterdir()), "nothing was cached"
    cached = _library(folder, cache)

    def compile_again(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"compiled again: {args[1:2]}")

    cached.environment.compile = compile_again  # type: ignore[method-assign]
    assert cached.step("t.sh.j2", step="configure", service="svc", word="it's") == first
    (folder / "t.sh.j2").write_text("echo {{ word | sh }} edited\n")
    edited = _library(folder, cache).render("t.sh.j2", word="x")  # its source changed: compiled anew
    assert edited == "echo x edited\n"
