"""Extensions: the `extension.toml` model, discovery through entry points, and the new / validate / test /
build / publish / install cycle on Python packaging (see docs/extensions.md). Imports no Pulumi."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import names_on_first_use

if TYPE_CHECKING:
    from .archive import build_epoch, selected_files, write_archive
    from .build import BuildResult, build_extension, sha256_of
    from .discovery import (
        InstalledExtension,
        UnknownTemplate,
        entry_point_group,
        installed_extensions,
        manifest_of_module,
        template_path,
    )
    from .errors import (
        BuildFailed,
        ExtensionError,
        InstallRefused,
        ManifestError,
        ManifestProblem,
        PublishRefused,
        StackConfigUnavailable,
    )
    from .index import IndexFile, project_files
    from .install import Verified, install_extension, resolve_extensions
    from .manifest import (
        KINDS,
        MANIFEST_NAME,
        Build,
        Compatibility,
        Configuration,
        Dependencies,
        ExtensionInfo,
        ExtensionManifest,
        Provides,
        load_manifest,
        parse_manifest,
    )
    from .project import ExtensionProject, find_project
    from .publish import Release, find_release, publish_release
    from .scaffold import SCAFFOLD_KINDS, scaffold_extension
    from .testing import LocalCloud, extension_test_paths, local_cloud, run_extension_tests
    from .validate import (
        EXIT_ENVIRONMENT,
        EXIT_INVALID,
        EXIT_OK,
        Finding,
        StackConfigKeys,
        ValidationReport,
        validate_extension,
    )

__all__ = [
    "EXIT_ENVIRONMENT",
    "EXIT_INVALID",
    "EXIT_OK",
    "KINDS",
    "MANIFEST_NAME",
    "SCAFFOLD_KINDS",
    "Build",
    "BuildFailed",
    "BuildResult",
    "Compatibility",
    "Configuration",
    "Dependencies",
    "ExtensionError",
    "ExtensionInfo",
    "ExtensionManifest",
    "ExtensionProject",
    "Finding",
    "IndexFile",
    "InstallRefused",
    "InstalledExtension",
    "LocalCloud",
    "ManifestError",
    "ManifestProblem",
    "Provides",
    "PublishRefused",
    "Release",
    "StackConfigKeys",
    "StackConfigUnavailable",
    "UnknownTemplate",
    "ValidationReport",
    "Verified",
    "build_epoch",
    "build_extension",
    "entry_point_group",
    "extension_test_paths",
    "find_project",
    "find_release",
    "install_extension",
    "installed_extensions",
    "load_manifest",
    "local_cloud",
    "manifest_of_module",
    "parse_manifest",
    "project_files",
    "publish_release",
    "resolve_extensions",
    "run_extension_tests",
    "scaffold_extension",
    "selected_files",
    "sha256_of",
    "template_path",
    "validate_extension",
    "write_archive",
]

_MODULES = (
    "archive",
    "build",
    "discovery",
    "errors",
    "index",
    "install",
    "manifest",
    "project",
    "publish",
    "scaffold",
    "testing",
    "validate",
)
"""Where the public names live, searched in this order on first use: a program that needs one (the
provider's manifest) does not load the build, publish and scaffold machinery (jinja2, httpx)."""

__getattr__ = names_on_first_use(__name__, __all__, _MODULES)
