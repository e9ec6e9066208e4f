"""The task service base: a Pulumi component that renders its files from a typed config (Jinja2 templates)
and runs its steps on a server over SSH with pulumi-command; see docs/task-services.md.

The config side (`TaskServiceSettings`, rules, templates, health records, change planning) imports no
Pulumi; `TaskService`, `Step`, `Target`, `ChangePlan` and `InvalidConfig` load Pulumi when first used."""

from .._lazy import names_on_first_use
from .changes import fingerprint, planned_changes, secret_fingerprint
from .health import HealthReport, parse_health
from .rules import CronSchedule, InRange, MemorySize, Positive, memory_bytes
from .settings import CATEGORIES, Category, HealthCheck, ServiceMetadata, SettingsModel, TaskServiceSettings
from .templates import SHARED_TEMPLATES, TemplateLibrary, pg_quote, put_file, remote_command

__all__ = [
    "CATEGORIES",
    "SHARED_TEMPLATES",
    "Category",
    "ChangePlan",
    "CronSchedule",
    "HealthCheck",
    "HealthReport",
    "InRange",
    "InvalidConfig",
    "MemorySize",
    "Positive",
    "ServiceMetadata",
    "SettingsModel",
    "Step",
    "Target",
    "TaskService",
    "TaskServiceSettings",
    "TemplateLibrary",
    "fingerprint",
    "memory_bytes",
    "parse_health",
    "pg_quote",
    "planned_changes",
    "put_file",
    "remote_command",
    "secret_fingerprint",
]

_LAZY = {
    "ChangePlan": "plan",
    "InvalidConfig": "errors",
    "Step": "component",
    "Target": "target",
    "TaskService": "component",
}

__getattr__ = names_on_first_use(__name__, _LAZY)
