"""Reusable test helpers (fakes and real local services)."""
