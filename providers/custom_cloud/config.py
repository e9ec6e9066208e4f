"""Custom Cloud provider configuration: CustomCloudConfig, read from stack config or the env."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from provisioning.sdk.errors import ConfigError
from provisioning.sdk.schemas import ProviderConfig

from .api import catalog

__all__ = [
    "CONFIG_KEYS",
    "DEFAULT_API_URL",
    "MISSING_KEY_MESSAGE",
    "CustomCloudConfig",
    "load_config",
    "origin_of",
]

DEFAULT_API_URL = "https://api.custom-cloud.com/v1"
"""The default endpoint of a hosted Custom Cloud (the local one is `http://127.0.0.1:<port>/v1`)."""

MISSING_KEY_MESSAGE = (
    "CUSTOM_CLOUD_API_KEY environment variable is required "
    "(or set the secret stack config: pulumi config set --secret custom-cloud:apiKey <key>)"
)
"""The message for a missing API key: the environment variable or the secret stack config key."""

CONFIG_KEYS: dict[str, tuple[str, str | None]] = {
    "api_key": ("custom-cloud:apiKey", "CUSTOM_CLOUD_API_KEY"),
    "api_secret": ("custom-cloud:apiSecret", "CUSTOM_CLOUD_API_SECRET"),
    "region": ("custom-cloud:region", "CUSTOM_CLOUD_REGION"),
    "project_id": ("custom-cloud:projectId", "CUSTOM_CLOUD_PROJECT_ID"),
    "organization": ("custom-cloud:organization", "CUSTOM_CLOUD_ORGANIZATION"),
    "api_url": ("custom-cloud:apiUrl", "CUSTOM_CLOUD_API_URL"),
    "timeout": ("custom-cloud:timeout", "CUSTOM_CLOUD_TIMEOUT"),
    "billing_account": ("custom-cloud:billingAccount", None),
    "cost_center": ("custom-cloud:costCenter", None),
}
"""Field → (stack config key, environment variable fallback)."""


class CustomCloudConfig(ProviderConfig):
    """Configuration for the Custom Cloud provider (API key, region, endpoint, timeout, billing)."""

    api_key: SecretStr
    """API key (Bearer token); never printed, never stored in state."""
    api_secret: SecretStr | None = None
    """API secret, for accounts that use one."""
    region: str = "us-west-1"
    """Default region."""
    project_id: str | None = None
    """Project the key belongs to (informational: the API derives it from the key)."""
    organization: str | None = None
    """Organization (informational)."""
    api_url: str = DEFAULT_API_URL
    """Base URL of the API, ending in `/v1`."""
    timeout: int = Field(default=30, gt=0)
    """Per-request timeout in seconds."""
    billing_account: str | None = None
    """Billing account (cost reporting)."""
    cost_center: str | None = None
    """Cost center (cost reporting)."""

    @field_validator("api_key")
    @classmethod
    def _key_not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError(MISSING_KEY_MESSAGE)
        return value

    @field_validator("api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or not parts.path.rstrip("/").endswith("/v1")
        ):
            raise ValueError(
                f"{value!r} is not the API's base URL: it must be http(s)://HOST[:PORT]/v1 "
                "(the local Custom Cloud prints it, e.g. http://127.0.0.1:8787/v1)"
            )
        return value.rstrip("/")

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in catalog.REGIONS:
            raise ValueError(f"unknown region {value!r}; known: {', '.join(catalog.REGIONS)}")
        return value


def _lookup(stack_config: Callable[[str], Any] | Mapping[str, Any] | None) -> Callable[[str], Any]:
    if stack_config is None:
        return lambda _key: None
    return stack_config if callable(stack_config) else stack_config.get


def origin_of(
    name: str,
    stack_config: Callable[[str], Any] | Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Where the config field `name` comes from, in words: the stack config key, the environment variable,
    or the default (naming the key that changes it)."""
    env = os.environ if environ is None else environ
    key, var = CONFIG_KEYS[name]
    if _lookup(stack_config)(key) not in (None, ""):
        return f"from the stack config {key}"
    if var is not None and env.get(var):
        return f"from the environment variable {var}"
    return f"the default (set {key} to choose another)"


def load_config(
    stack_config: Callable[[str], Any] | Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> CustomCloudConfig:
    """Build the config from stack config keys (`custom-cloud:apiKey` …), falling back to the environment.

    Raises `ConfigError` naming the key and the rule; the API key value is never part of the message."""
    env = os.environ if environ is None else environ
    lookup = _lookup(stack_config)
    data: dict[str, Any] = {}
    for name, (key, var) in CONFIG_KEYS.items():
        value = lookup(key)
        if value in (None, "") and var is not None:
            value = env.get(var)
        if value not in (None, ""):
            data[name] = value
    if "api_key" not in data:
        raise ConfigError("custom-cloud:apiKey", None, MISSING_KEY_MESSAGE)
    items = tuple(sorted(data.items()))
    try:
        return _validated(items)
    except TypeError:  # a value that cannot be a cache key (a list given in the stack config)
        return _validated.__wrapped__(items)


@functools.lru_cache(maxsize=32)
def _validated(items: tuple[tuple[str, Any], ...]) -> CustomCloudConfig:
    """The config of these values, validated once per process (every `check` of every resource reads it)."""
    data = dict(items)
    try:
        return CustomCloudConfig.model_validate(data)
    except Exception as exc:  # pydantic.ValidationError: re-raise as ConfigError without values of secrets
        errors: list[dict[str, Any]] = list(getattr(exc, "errors", lambda: [])())
        first = errors[0] if errors else {"loc": ("config",), "msg": str(exc)}
        field = str(first["loc"][0]) if first.get("loc") else "config"
        key = CONFIG_KEYS.get(field, (field, None))[0]
        value = "[secret]" if field in {"api_key", "api_secret"} else data.get(field)
        rule = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(key, value, rule) from None
