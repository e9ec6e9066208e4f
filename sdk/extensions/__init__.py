"""Extensions: the `extension.toml` model, discovery through entry points, and the new / validate / test /
build / publish / install cycle on Python packaging (see docs/extensions.md). Imports no Pulumi."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:  # the public names, one a line: type checkers read them, `__getattr__` imports them
    from .archive import build_epoch as build_epoch
    from .archive import selected_files as selected_files
    from .archive import write_archive as write_archive
    from .build import BuildResult as BuildResult
    from .build import build_extension as build_extension
    from .build import sha256_of as sha256_of
    from .discovery import InstalledExtension as InstalledExtension
    from .discovery import UnknownTemplate as UnknownTemplate
    from .discovery import entry_point_group as entry_point_group
    from .discovery import installed_extensions as installed_extensions
    from .discovery import manifest_of_module as manifest_of_module
    from .discovery import template_path as template_path
    from .errors import BuildFailed as BuildFailed
    from .errors import ExtensionError as ExtensionError
    from .errors import InstallRefused as InstallRefused
    from .errors import ManifestError as ManifestError
    from .errors import ManifestProblem as ManifestProblem
    from .errors import PublishRefused as PublishRefused
    from .errors import StackConfigUnavailable as StackConfigUnavailable
    from .index import IndexFile as IndexFile
    from .index import project_files as project_files
    from .install import Verified as Verified
    from .install import install_extension as install_extension
    from .install import resolve_extensions as resolve_extensions
    from .manifest import KINDS as KINDS
    from .manifest import MANIFEST_NAME as MANIFEST_NAME
    from .manifest import Build as Build
    from .manifest import Compatibility as Compatibility
    from .manifest import Configuration as Configuration
    from .manifest import Dependencies as Dependencies
    from .manifest import ExtensionInfo as ExtensionInfo
    from .manifest import ExtensionManifest as ExtensionManifest
    from .manifest import Provides as Provides
    from .manifest import load_manifest as load_manifest
    from .manifest import parse_manifest as parse_manifest
    from .project import ExtensionProject as ExtensionProject
    from .project import find_project as find_project
    from .publish import Release as Release
    from .publish import find_release as find_release
    from .publish import publish_release as publish_release
    from .scaffold import SCAFFOLD_KINDS as SCAFFOLD_KINDS
    from .scaffold import scaffold_extension as scaffold_extension
    from .testing import LocalCloud as LocalCloud
    from .testing import extension_test_paths as extension_test_paths
    from .testing import local_cloud as local_cloud
    from .testing import run_extension_tests as run_extension_tests
    from .validate import EXIT_ENVIRONMENT as EXIT_ENVIRONMENT
    from .validate import EXIT_INVALID as EXIT_INVALID
    from .validate import EXIT_OK as EXIT_OK
    from .validate import Finding as Finding
    from .validate import StackConfigKeys as StackConfigKeys
    from .validate import ValidationReport as ValidationReport
    from .validate import validate_extension as validate_extension

__all__, __getattr__ = exports_on_first_use(__name__)
