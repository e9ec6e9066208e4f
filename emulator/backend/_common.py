"""The backend's base, composed of one mixin per job: rows (`_rows`), the lifecycle (`_lifecycle`),
idempotent writes (`_idempotency`), addresses (`_addresses`) and pages (`_pages`)."""

from __future__ import annotations

import ipaddress
import threading
from concurrent.futures import Future

from ..faults import Faults
from ..hosts import HostBackend, RecordHostBackend
from ..settings import Settings
from ..store import Store
from ._addresses import AddressesMixin
from ._idempotency import IdempotencyMixin, IdemRequest, Outcome
from ._lifecycle import Lifecycle
from ._pages import PagesMixin
from ._rows import ROW_COLUMNS, Doc, Row, iso, new_id

__all__ = ["ROW_COLUMNS", "BaseBackend", "Doc", "IdemRequest", "Lifecycle", "Outcome", "Row", "iso", "new_id"]


class BaseBackend(IdempotencyMixin, PagesMixin, AddressesMixin):
    """State and rules common to every resource kind."""

    def __init__(self, settings: Settings, store: Store, hosts: HostBackend, faults: Faults) -> None:
        self.settings = settings
        self.store = store
        self.hosts = hosts
        self.faults = faults
        self.lifecycle = Lifecycle(settings.lifecycle, settings.boot_delay_s)
        # `record` host calls return at once and do nothing: they run inside the transaction.
        self.inline_hosts = isinstance(hosts, RecordHostBackend)
        # token of each host job under way → done once its result is committed (see `_host_work`)
        self.host_waits: dict[str, Future[None]] = {}
        self.host_waits_lock = threading.Lock()
        self._public_pool = ipaddress.IPv4Network(settings.public_pool)
        self._default_pool = ipaddress.IPv4Network(settings.default_private_cidr)

    def host_hook(self, name: str, *args: str) -> None:
        """Call the host backend's optional hook `name` inside the write (an error there undoes it):
        `attach_volume`, `detach_volume` (mount or unmount), `delete_volume` (a retained disk's files),
        `resize` (the next boot's limits)."""
        hook = getattr(self.hosts, name, None)
        if hook is not None:
            hook(*args)
