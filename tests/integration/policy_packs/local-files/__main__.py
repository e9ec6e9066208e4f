"""A tiny policy pack for the engine tests: local files must not be world-readable."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def no_world_readable_files(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type.endswith("provisioning:LocalFile"):
        mode = int(args.props.get("mode", 0o644))
        if mode & 0o004:
            report_violation(f"mode {mode:o} of {args.props.get('path')} lets every user read the file")


PolicyPack(
    name="local-files",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="no-world-readable-files",
            description="Local files must not be readable by every user.",
            validate=no_world_readable_files,
        )
    ],
)
