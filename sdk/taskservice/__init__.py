"""The task service base: a Pulumi component that renders its files from a typed config (Jinja2 templates)
and runs its steps on a server over SSH with pulumi-command; see docs/task-services.md.

The config side (`TaskServiceSettings`, rules, health records, change planning) imports no Pulumi;
`TaskService`, `Step`, `Target`, `ChangePlan` and `InvalidConfig` load Pulumi when first used, and the
template library (`TemplateLibrary`, `put_file`, …) loads Jinja2 when first used: the provider host that
plans a task service's changes needs neither."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .changes import (
    fingerprint as fingerprint,
    planned_changes as planned_changes,
    secret_fingerprint as secret_fingerprint,
)
from .health import (
    HealthReport as HealthReport,
    parse_health as parse_health,
)
from .rules import (
    CronSchedule as CronSchedule,
    InRange as InRange,
    MemorySize as MemorySize,
    Positive as Positive,
    memory_bytes as memory_bytes,
)
from .settings import (
    CATEGORIES as CATEGORIES,
    Category as Category,
    HealthCheck as HealthCheck,
    ServiceMetadata as ServiceMetadata,
    SettingsModel as SettingsModel,
    TaskServiceSettings as TaskServiceSettings,
)

if TYPE_CHECKING:
    from .component import Step as Step, TaskService as TaskService
    from .errors import InvalidConfig as InvalidConfig
    from .plan import ChangePlan as ChangePlan
    from .target import Target as Target
    from .templates import (
        SHARED_TEMPLATES as SHARED_TEMPLATES,
        TemplateLibrary as TemplateLibrary,
        pg_quote as pg_quote,
        put_file as put_file,
        remote_command as remote_command,
    )

__all__, __getattr__ = exports_on_first_use(__name__)
