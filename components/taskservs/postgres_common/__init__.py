"""The former home of what the PostgreSQL services share, now `components/taskservs/_database/postgres`:
its names, importable from here as before (`Cluster` is `ClusterLayout` there)."""

from .._database.postgres import (
    TEMPLATES,
    BackupPlan,
    ClusterLayout,
    MetricsPlan,
    cluster_files,
    replica_name,
)

Cluster = ClusterLayout
"""Where one PostgreSQL cluster lives on its host: `ClusterLayout`'s name here."""

__all__ = ["TEMPLATES", "BackupPlan", "Cluster", "MetricsPlan", "cluster_files", "replica_name"]
