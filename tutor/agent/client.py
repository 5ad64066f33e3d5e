"""Making the SDK client, and knowing whether one can be made: `anthropic` is imported here only lazily.

The SDK reads `ANTHROPIC_API_KEY` (or `ANTHROPIC_AUTH_TOKEN`, or a profile) and
`ANTHROPIC_BASE_URL` itself; Tutor passes nothing that would override them, so a user
who has the SDK working has Tutor working.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

FALLBACK_MODEL = "claude-sonnet-5-5"  # used only when the SDK's own list cannot be read
CREDENTIAL_VARIABLES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_PROFILE")
KEY_HELP = (
    "Set ANTHROPIC_API_KEY (https://console.anthropic.com/settings/keys), for example "
    "`export ANTHROPIC_API_KEY=sk-ant-...`, then run the command again."
)


def has_credentials(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the SDK will find something to authenticate with (it reads these variables itself)."""
    environ = os.environ if environ is None else environ
    return any(environ.get(name, "").strip() for name in CREDENTIAL_VARIABLES)


def make_client(*, max_retries: int = 2, timeout: float = 600.0) -> Any:
    """An `AsyncAnthropic` client configured from the environment, exactly as the SDK does it.

    The SDK retries 408/409/429/5xx and connection failures by itself, before any byte of
    a reply arrives: that is the only automatic retry there is (a reply that broke off
    after tokens were shown is never retried behind the user's back).
    """
    import anthropic

    return anthropic.AsyncAnthropic(max_retries=max_retries, timeout=timeout)


_SONNET = re.compile(r"^claude-sonnet-(\d+)(?:-(\d))?$")  # undated aliases only: claude-sonnet-4-5, claude-sonnet-5


def newest_sonnet() -> str:
    """The newest undated Sonnet alias in the installed SDK's model list (the default model)."""
    try:
        from typing import get_args

        from anthropic.types.model_param import ModelParam

        names = [name for arg in get_args(ModelParam) for name in get_args(arg) if isinstance(name, str)]
    except Exception:  # noqa: BLE001 - an SDK without the list still works with the fallback
        return FALLBACK_MODEL
    best: tuple[tuple[int, int], str] | None = None
    for name in names:
        match = _SONNET.match(name)
        if match:
            version = (int(match.group(1)), int(match.group(2) or 0))
            if best is None or version > best[0]:
                best = (version, name)
    return best[1] if best else FALLBACK_MODEL


def describe_api_error(error: BaseException) -> tuple[str, bool]:
    """One line for the user about a failed request, and whether trying again may help."""
    import anthropic

    status = getattr(error, "status_code", None)
    detail = _api_message(error)
    if isinstance(error, anthropic.APITimeoutError):
        return "The API did not answer in time.", True
    if isinstance(error, anthropic.APIConnectionError):
        return f"Cannot reach the API ({_base_url()}): {detail or 'connection failed'}.", True
    if status == 401:
        return f"The API key was refused (401){_colon(detail)}. {KEY_HELP}", False
    if status == 403:
        return f"This key may not use this model or endpoint (403){_colon(detail)}.", False
    if status == 404:
        return f"Not found (404){_colon(detail)}: check the model id (`model` in config.toml).", False
    if status == 429:
        return f"Rate limited (429){_colon(detail)}: wait a moment, then retry.", True
    if status == 529 or _error_type(error) == "overloaded_error":
        return f"The API is overloaded (529){_colon(detail)}: retry in a moment.", True
    if isinstance(status, int) and status >= 500:
        return f"The API failed ({status}){_colon(detail)}: retry.", True
    if isinstance(status, int):
        return f"The API refused the request ({status}){_colon(detail)}.", False
    return f"The API failed: {detail or type(error).__name__}.", True


def _colon(detail: str) -> str:
    return f": {detail}" if detail else ""


def _error_type(error: BaseException) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("type", ""))
    return ""


def _api_message(error: BaseException) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return _one_line(inner["message"])
    cause = error.__cause__ or error.__context__
    if cause is not None and str(cause):
        return _one_line(str(cause))
    text = str(error)
    return _one_line(text) if text and not text.startswith("Error code") else ""


def _base_url() -> str:
    return os.environ.get("ANTHROPIC_BASE_URL", "").strip() or "https://api.anthropic.com"


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


class ClaudeUser:
    """The model and the SDK client of something that calls Claude, each made on first use.

    Constructing one imports nothing of the SDK: `model` resolves to `newest_sonnet()` and
    `client` to `make_client(...)` only when first read. The judge and the mentor are ones.
    """

    def __init__(self, client: Any = None, model: str | None = None, *, timeout: float, max_retries: int = 2) -> None:
        self._client = client
        self._model = model
        self.timeout = timeout
        self.max_retries = max_retries

    @property
    def model(self) -> str:
        if not self._model:
            self._model = newest_sonnet()
        return self._model

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(max_retries=self.max_retries, timeout=self.timeout)
        return self._client


def forced_tool_input(reply: Any, tool_name: str, malformed: type[Exception]) -> dict[str, Any]:
    """The input of the `tool_name` call a reply was forced to make, or `malformed(why)` in one line."""
    blocks = getattr(reply, "content", None)
    if not isinstance(blocks, (list, tuple)):
        raise malformed("no content")
    calls = [b for b in blocks if getattr(b, "type", None) == "tool_use" and getattr(b, "name", None) == tool_name]
    if not calls:
        stop = getattr(reply, "stop_reason", None)
        raise malformed(f"no {tool_name} call" + (f", stop reason {stop}" if stop else ""))
    data = getattr(calls[0], "input", None)
    if not isinstance(data, dict):
        raise malformed("the tool input is not an object")
    return data
