"""`provisioning extension`: new, validate, test, build, publish, install and list extensions
(`provisioning.sdk.extensions` does the work; this module parses, prints progress and tables)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ._common import CliError, command_group
from ._stack import add_config_source, config_keys
from ._table import render_table

if TYPE_CHECKING:
    from ._common import Subcommands

__all__ = ["DEFAULT_INDEX", "register"]

DEFAULT_INDEX = ".state/extension-index"
"""The local directory index when neither `--index` nor `PROVISIONING_INDEX` says otherwise."""


def _progress(message: str) -> None:
    print(f"==> {message}", flush=True)


def register(commands: Subcommands) -> None:
    """Add `provisioning extension …`."""
    sub = command_group(
        commands,
        "extension",
        help="make, check, build, publish and install extensions",
        description="Extensions: Python distributions described by extension.toml that provide providers, "
        "task services, clusters and templates through entry points (docs/extensions.md).",
    )

    new = sub.add_parser(
        "new",
        help="scaffold a working extension",
        description="Scaffold extension NAME "
        "in ./NAME: pyproject.toml, extension.toml, a skeleton, tests, a README.",
    )
    new.add_argument("name", metavar="NAME", help="lowercase letters, digits and dashes (acme-disk)")
    new.add_argument("--type", dest="kind", required=True, choices=("provider", "taskserv", "cluster"))
    new.add_argument("--dir", default=".", help="folder to create NAME in (default: .)")
    new.add_argument("--author", default="", help="`Name <email>` for extension.toml")
    new.set_defaults(func=_new)

    validate = sub.add_parser(
        "validate",
        help="check an extension's metadata, entry points and environment",
        description="Exit 0: valid; 1: the extension is wrong; 3: this environment "
        "lacks what it needs (variables, system packages, extensions).",
    )
    validate.add_argument("path", metavar="PATH", nargs="?", default=".")
    add_config_source(
        validate,
        cwd_help="the Pulumi project whose stack config may hold what a required variable stands for "
        "(`custom-cloud:apiKey` for CUSTOM_CLOUD_API_KEY; default: here)",
    )
    validate.set_defaults(func=_validate)

    test = sub.add_parser("test", help="run an extension's tests against a local Custom Cloud")
    test.add_argument("path", metavar="PATH", nargs="?", default=".")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed to pytest (after --)")
    test.set_defaults(func=_test)

    build = sub.add_parser("build", help="wheel, sdist and the NAME-VERSION.tar.gz archive, reproducibly")
    build.add_argument("path", metavar="PATH", nargs="?", default=".")
    build.add_argument("--outdir", help="output folder (default: PATH/dist)")
    build.set_defaults(func=_build)

    index_help = (
        f"a folder (a directory index pip reads) or the URL of an HTTP index "
        f"(default: $PROVISIONING_INDEX, else {DEFAULT_INDEX})"
    )
    publish = sub.add_parser(
        "publish",
        help="publish a release to a package index",
        description="Publish every wheel and sdist of one name and version. To an HTTP "
        "index the credentials come from TWINE_USERNAME and TWINE_PASSWORD.",
    )
    publish.add_argument(
        "target", metavar="PATH|DIST", help="an extension folder, a wheel, an sdist or the archive"
    )
    publish.add_argument("--index", help=index_help)
    publish.set_defaults(func=_publish)

    install = sub.add_parser(
        "install",
        help="install an extension and its extension dependencies with pip",
        description="Resolve NAME[==VERSION] and its [dependencies] extensions on the "
        "index, check every file against the sha256 the index recorded, pip install "
        "them into this environment.",
    )
    install.add_argument("requirement", metavar="NAME[==VERSION]")
    install.add_argument("--index", help=index_help)
    install.add_argument(
        "--find-links",
        action="append",
        default=[],
        metavar="DIR",
        help="more places pip looks for the other dependencies (repeatable)",
    )
    install.set_defaults(func=_install)

    listing = sub.add_parser("list", help="the installed extensions: name, version, kind, provides, from")
    listing.set_defaults(func=_list)


def _index(args: argparse.Namespace) -> str:
    index = args.index or os.environ.get("PROVISIONING_INDEX") or DEFAULT_INDEX
    from provisioning.sdk.extensions.index import is_remote

    return index if is_remote(index) else os.path.abspath(index)


def _new(args: argparse.Namespace) -> int:
    from provisioning.sdk.extensions import ExtensionError, scaffold_extension

    try:
        folder = scaffold_extension(args.name, args.kind, args.dir, author=args.author)
    except ExtensionError as exc:
        raise CliError(str(exc)) from None
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            print(f"  created {path.relative_to(folder.parent)}")
    print(f"next: provisioning extension validate {folder} && provisioning extension test {folder}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from provisioning.sdk.extensions import StackConfigUnavailable, validate_extension

    def stack_keys() -> frozenset[str]:
        try:
            return config_keys(args.cwd, args.stack)
        except CliError as exc:
            raise StackConfigUnavailable(str(exc)) from None

    report = validate_extension(args.path, stack_config=stack_keys)
    rows = [(f.check, f.status.upper() if f.status != "ok" else "ok", f.detail) for f in report.findings]
    print(render_table(("check", "status", "detail"), rows))
    verdict = {0: "valid", 1: "INVALID", 3: "valid, but this environment lacks what it needs"}
    print(f"{report.path}: {verdict[report.exit_code]} (exit {report.exit_code})")
    return report.exit_code


def _test(args: argparse.Namespace) -> int:
    from provisioning.sdk.extensions import ExtensionError, run_extension_tests

    extra = [a for a in args.pytest_args if a != "--"]
    try:
        return run_extension_tests(args.path, extra)
    except ExtensionError as exc:
        raise CliError(str(exc)) from None


def _build(args: argparse.Namespace) -> int:
    from provisioning.sdk.extensions import ExtensionError, build_extension, sha256_of

    try:
        result = build_extension(args.path, outdir=args.outdir, progress=_progress)
    except ExtensionError as exc:
        raise CliError(str(exc)) from None
    rows = [(path.name, path.stat().st_size, sha256_of(path)) for path in result.files]
    print(render_table(("file", "bytes", "sha256"), rows, right=(1,)))
    print(f"built in {result.files[0].parent} (file times: SOURCE_DATE_EPOCH={result.epoch})")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from provisioning.sdk.extensions import ExtensionError, find_release, publish_release

    index = _index(args)
    try:
        release = find_release(args.target)
        _progress(f"publishing {release.name} {release.version} to {index}")
        published = publish_release(release, index)
    except (ExtensionError, ConnectionError) as exc:
        raise CliError(str(exc)) from None
    print(render_table(("file", "sha256"), [(path.name, digest) for path, digest in published]))
    return 0


def _install(args: argparse.Namespace) -> int:
    from provisioning.sdk.extensions import ExtensionError, install_extension

    index = _index(args)
    pip_args = [arg for folder in args.find_links for arg in ("--find-links", folder)]
    try:
        verified = install_extension(args.requirement, index, pip_args=pip_args, progress=_progress)
    except (ExtensionError, ConnectionError) as exc:
        raise CliError(str(exc)) from None
    rows = [(v.file.filename, v.requirement, v.file.sha256 or "") for v in verified]
    print(render_table(("installed", "asked by", "sha256 (checked)"), rows))
    return 0


def _list(args: argparse.Namespace) -> int:
    from provisioning.sdk.extensions import installed_extensions

    rows = [(e.name, e.version, e.kind, ", ".join(e.provides), e.origin) for e in installed_extensions()]
    print(render_table(("name", "version", "kind", "provides", "from"), rows))
    return 0
