"""Extensions: the `extension.toml` model, discovery through entry points, and the new / validate / test /
build / publish / install cycle on Python packaging (see docs/extensions.md). Imports no Pulumi."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:  # the public names, one a line: type checkers read them, `__getattr__` imports them
    from .archive import (
        build_epoch as build_epoch,
        selected_files as selected_files,
        write_archive as write_archive,
    )
    from .build import BuildResult as BuildResult, build_extension as build_extension, sha256_of as sha256_of
    from .discovery import (
        InstalledExtension as InstalledExtension,
        UnknownTemplate as UnknownTemplate,
        entry_point_group as entry_point_group,
        installed_extensions as installed_extensions,
        manifest_of_module as manifest_of_module,
        template_path as template_path,
    )
    from .errors import (
        BuildFailed as BuildFailed,
        ExtensionError as ExtensionError,
        InstallRefused as InstallRefused,
        ManifestError as ManifestError,
        ManifestProblem as ManifestProblem,
        PublishRefused as PublishRefused,
        StackConfigUnavailable as StackConfigUnavailable,
    )
    from .index import IndexFile as IndexFile, project_files as project_files
    from .install import (
        Verified as Verified,
        install_extension as install_extension,
        resolve_extensions as resolve_extensions,
    )
    from .manifest import (
        KINDS as KINDS,
        MANIFEST_NAME as MANIFEST_NAME,
        Build as Build,
        Compatibility as Compatibility,
        Configuration as Configuration,
        Dependencies as Dependencies,
        ExtensionInfo as ExtensionInfo,
        ExtensionManifest as ExtensionManifest,
        Provides as Provides,
        load_manifest as load_manifest,
        parse_manifest as parse_manifest,
    )
    from .project import ExtensionProject as ExtensionProject, find_project as find_project
    from .publish import Release as Release, find_release as find_release, publish_release as publish_release
    from .scaffold import SCAFFOLD_KINDS as SCAFFOLD_KINDS, scaffold_extension as scaffold_extension
    from .testing import (
        LocalCloud as LocalCloud,
        extension_test_paths as extension_test_paths,
        local_cloud as local_cloud,
        run_extension_tests as run_extension_tests,
    )
    from .validate import (
        EXIT_ENVIRONMENT as EXIT_ENVIRONMENT,
        EXIT_INVALID as EXIT_INVALID,
        EXIT_OK as EXIT_OK,
        Finding as Finding,
        StackConfigKeys as StackConfigKeys,
        ValidationReport as ValidationReport,
        validate_extension as validate_extension,
    )

__all__, __getattr__ = exports_on_first_use(__name__)
