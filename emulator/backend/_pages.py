"""Lists: one page of a kind's live rows, oldest first, filtered, with an opaque token for the next page."""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from ..errors import ValidationFailed
from ._rows import ROW_COLUMNS, RowsMixin

__all__ = ["PagesMixin"]

EFFECTIVE = "(CASE WHEN next_status IS NOT NULL AND ready_at <= ? THEN next_status ELSE status END)"
"""Effective status of a row at time `?`: a due transition counts as done even before the sweeper runs."""


class PagesMixin(RowsMixin):
    """Paged, filtered lists."""

    def list_json(
        self,
        project_id: str,
        kind: str,
        *,
        page_size: int,
        page_token: str | None,
        name: str | None = None,
        status: str | None = None,
        labels: list[tuple[str, str]] | None = None,
        where: list[tuple[str, Any]] | None = None,
    ) -> str:
        """One page of `kind` in the project, oldest first, as JSON `{items, next_page_token}`."""
        now = time.time()
        after = _decode_token(page_token)
        sql = [f"SELECT {ROW_COLUMNS}, seq FROM resources WHERE project_id = ? AND kind = ? AND seq > ?"]
        args: list[Any] = [project_id, kind, after]
        sql.append(f"AND {EFFECTIVE} != 'deleted'")
        args.append(now)
        if name is not None:
            sql.append("AND name = ?")
            args.append(name)
        if status is not None:
            sql.append(f"AND {EFFECTIVE} = ?")
            args += [now, status]
        for key, value in labels or []:
            sql.append("AND EXISTS (SELECT 1 FROM json_each(body, '$.labels') WHERE key = ? AND value = ?)")
            args += [key, value]
        for clause, value in where or []:
            sql.append(f"AND {clause}")
            args.append(value)
        sql.append("ORDER BY seq LIMIT ?")
        args.append(page_size + 1)
        raws = self.store.reader().execute(" ".join(sql), args).fetchall()
        more = len(raws) > page_size
        raws = raws[:page_size]
        items = [self._row(raw[:5], now).doc for raw in raws]
        token = _encode_token(raws[-1][5]) if more and raws else None
        return json.dumps({"items": items, "next_page_token": token})


def _encode_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def _decode_token(token: str | None) -> int:
    if token is None or token == "":
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if not raw.startswith("s") or not raw[1:].isdigit() or len(raw) > 20:
            raise ValueError(raw)
        return int(raw[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed.field(
            "page_token", token, "opaque_token", "page_token is not a token this API handed out"
        ) from None
