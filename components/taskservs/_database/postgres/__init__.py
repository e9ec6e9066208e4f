"""What the PostgreSQL services (CustomDatabase, PostgreSQL) share beyond every database service: the
metrics exporter's section with its log level (`settings`), and the templates of the backup script and its
cron entry, the exporter's systemd unit, the health checks of both and of a standby's streaming and the clone
of a standby from its primary (`templates/postgres/`), with where a cluster lives on its host (`cluster`).
What every task service may share is in `provisioning.sdk.taskservice`. Imports no Pulumi."""

from .cluster import TEMPLATES, BackupPlan, ClusterLayout, MetricsPlan, cluster_files, replica_name
from .settings import LOG_LEVELS, MonitoringSettings

__all__ = [
    "LOG_LEVELS",
    "TEMPLATES",
    "BackupPlan",
    "ClusterLayout",
    "MetricsPlan",
    "MonitoringSettings",
    "cluster_files",
    "replica_name",
]
