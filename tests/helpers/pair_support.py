"""Driving the pair screen against the fake Messages API: a session on a user repo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.fake_messages_api import FakeMessagesAPI
from tutor.services.live import start_session
from tutor.settings import Settings

TEST_KEY = "sk-ant-api03-" + "T" * 30 + "e" * 30 + "-AA"


def settings() -> Settings:
    return Settings(api_max_retries=0)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> FakeMessagesAPI:
    with FakeMessagesAPI() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
        yield server


def pair_session(repo: Path, task: str = "fix add") -> Any:
    session = start_session(mode="pair", settings=settings(), repo=repo, task=task)
    session.loop.retry_delay = 0.0
    return session
