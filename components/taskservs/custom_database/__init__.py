"""CustomDatabase: PostgreSQL from the OS packages, run as the service `customdb` on a server, configured
over SSH (`docs/task-services.md`)."""
