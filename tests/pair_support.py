"""Driving the pair screen against the fake Messages API: a session on a user repo, and waiting for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fake_messages_api import FakeMessagesAPI
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


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.02)


async def settled(pilot: Any, screen: Any, timeout: float = 15.0) -> None:
    """The agent's worker is done and every journaled record is drawn."""
    await until(pilot, lambda: not screen.busy and screen.drawn, timeout, "the pair screen to settle")
    await pilot.pause()


async def write_goal(pilot: Any, screen: Any, goal: str) -> None:
    """Type the goal, show it to the mentor, then start the agent (two ctrl+s, as a learner does)."""
    await pilot.press(*goal)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: bool(screen.query("#mentor MentorCard")), what="the mentor's comment")
    await pilot.press("ctrl+s")
    await asyncio.sleep(0)
    await settled(pilot, screen)
