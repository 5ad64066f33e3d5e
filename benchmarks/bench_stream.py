"""Streaming a long reply into pair mode: is the app as fast as the bare SDK, and do keys stay quick?

    python benchmarks/bench_stream.py [--tokens 20000] [--chunk 12] [--rates 0,1000,2000] [--keys 60]

A local fake Messages API server (tests/helpers/fake_messages_api.py, 127.0.0.1) streams one reply
of `--tokens` tokens of Markdown (paragraphs, lists, code), `--chunk` characters per
`text_delta` (about three tokens, as the API sends them), at each of `--rates` tokens per
second (0: as fast as the socket takes them, a firehose no real API produces; Claude
streams in the order of 50 to 150 tokens per second).

* **baseline**: the bare SDK, `AsyncAnthropic(...).messages.create(stream=True)`, every
  event read and nothing done with it: the fastest a client can consume the stream.
* **app**: the real pair screen (`TutorApp(PairStart(session))`, headless, 120x40): the reply is
  streamed by `AnthropicAgent`, journaled (fsync, redacted, in whole lines every 50 ms)
  and appended to a `MarkdownStream`. The clock stops when the reply's `assistant` record
  is on disk (the stream consumed) and again when every piece is drawn (mounted, then
laid out and painted: `pilot.pause()` returns once the app is idle).

The server runs in its own process, as the real API would: in this one it would compete
with the app for the interpreter lock and slow the stream down by itself.

It prints both rates in tokens per second and their ratio, per stream rate (goal: the app
at least 0.8 of the SDK's rate). Then, during another streamed reply, `--keys` key presses are posted to
the app 25 ms apart, each timed from the key event posted to its action running (a key
bound on the screen for the benchmark): median, p95 and max (goal: p95 within 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

os.environ["TUTOR_HOME"] = tempfile.mkdtemp(prefix="tutor-bench-stream-")
os.environ["ANTHROPIC_API_KEY"] = "sk-ant-bench-" + "k" * 40


def markdown_reply(tokens: int) -> str:
    """About `tokens` tokens (4 characters each) of the Markdown an agent writes."""
    parts: list[str] = []
    size = 0
    n = 0
    while size < tokens * 4:
        n += 1
        block = (
            f"## Step {n}\n\nI read `module_{n}.py` and the failing test. The function "
            f"`parse_{n}()` drops the last field when the line ends with a separator, so "
            "the count is off by one.\n\n"
            f"- check the input of `parse_{n}`\n- keep the public API\n- run the tests\n\n"
            f"```python\ndef parse_{n}(line: str) -> list[str]:\n    return line.split(',')\n```\n\n"
        )
        parts.append(block)
        size += len(block)
    return "".join(parts)


class ServerProcess:
    """The fake API in a child process, serving `count` copies of one reply; `base_url` once it listens."""

    def __init__(self, tokens: int, chunk: int, delay: float, count: int) -> None:
        import subprocess

        code = (
            "import sys, time; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
            "from bench_stream import markdown_reply; from fake_messages_api import FakeMessagesAPI, text_reply;"
            "api = FakeMessagesAPI();"
            "[api.enqueue(text_reply(markdown_reply(int(sys.argv[3])), chunk=int(sys.argv[4]), event_delay=float(sys.argv[5]))) for _ in range(int(sys.argv[6]))];"
            "print(api.base_url, flush=True); sys.stdin.read(); api.close()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(ROOT / "benchmarks"), str(ROOT / "tests" / "helpers"), str(tokens), str(chunk), str(delay), str(count)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


class _Nothing:
    def enqueue(self, *replies: object) -> None:
        pass  # the server process has its replies already


async def bare_sdk(base_url: str, api, reply) -> float:  # noqa: ANN001
    import anthropic

    api.enqueue(reply)
    client = anthropic.AsyncAnthropic(base_url=base_url, max_retries=0)
    started = time.perf_counter()
    stream = await client.messages.create(model="m", max_tokens=10, messages=[{"role": "user", "content": "go"}], stream=True)
    async for _event in stream:
        pass
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


async def in_app(api, reply, keys: int = 0) -> tuple[float, float, list[float]]:  # noqa: ANN001
    from textual.binding import Binding

    from tutor.services.live import start_session
    from tutor.settings import Settings
    from tutor.ui.app import TutorApp
    from tutor.ui.start import PairStart
    from tutor.ui.screens.pair import PairScreen

    latencies: list[float] = []
    posted: list[float] = []

    class TimedPairScreen(PairScreen):
        BINDINGS = [Binding("k", "timed_key", "timed", show=False)]

        def action_timed_key(self) -> None:
            latencies.append(time.perf_counter() - posted.pop(0))

    import tutor.ui.screens.pair as pair_module

    original = pair_module.PairScreen
    pair_module.PairScreen = TimedPairScreen
    try:
        api.enqueue(reply)
        settings = Settings(api_max_retries=0)
        session = start_session(mode="pair", settings=settings, demo=True, agent=None)
        from tutor.agent.anthropic_agent import AnthropicAgent

        session.loop.agent = AnthropicAgent(max_retries=0)
        app = TutorApp(PairStart(session), settings=settings)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            await pilot.pause()
            session.loop.set_goal("Explain the module; done when every step is described.")
            started = time.perf_counter()
            screen._drive()
            consumed = drawn = 0.0
            while True:
                if not consumed and session.loop.state.turns:
                    consumed = time.perf_counter() - started
                if consumed and screen.drawn and not screen.busy:
                    await pilot.pause()  # the last pieces laid out and painted, not only mounted
                    drawn = time.perf_counter() - started
                    break
                if keys and len(latencies) + len(posted) < keys and not consumed:
                    posted.append(time.perf_counter())
                    app.simulate_key("k")
                await asyncio.sleep(0.025 if keys else 0.002)
            await pilot.pause()
        session.close()
    finally:
        pair_module.PairScreen = original
    return consumed, drawn, latencies


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   max {ordered[-1] * 1000:6.1f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=12)
    parser.add_argument("--rates", default="0,1000,2000", help="stream rates in tokens per second, comma-separated; 0 for a firehose")
    parser.add_argument("--keys", type=int, default=60)
    args = parser.parse_args()

    text = markdown_reply(args.tokens)
    events = len(text) // args.chunk
    tokens_per_event = args.chunk / 4
    print(f"One streamed reply: {args.tokens:,} tokens ({len(text):,} characters of Markdown, {events:,} text deltas of {args.chunk} characters)")
    nothing = _Nothing()
    for rate_wanted in [int(r) for r in args.rates.split(",") if r.strip()]:
        delay = tokens_per_event / rate_wanted if rate_wanted else 0.0
        server = ServerProcess(args.tokens, args.chunk, delay, 2)
        os.environ["ANTHROPIC_BASE_URL"] = server.base_url
        try:
            sdk = await bare_sdk(server.base_url, nothing, None)
            consumed, drawn, _ = await in_app(nothing, None)
        finally:
            server.close()
        label = f"{rate_wanted:,} tokens/s" if rate_wanted else "firehose"
        rate = lambda seconds: args.tokens / seconds  # noqa: E731
        print(f"\nStream at {label}:")
        print(f"  bare SDK, events read                 {sdk:6.2f} s   {rate(sdk):9,.0f} tokens/s")
        print(f"  pair screen, reply consumed+journaled {consumed:6.2f} s   {rate(consumed):9,.0f} tokens/s   ratio {sdk / consumed:.2f}")
        print(f"  pair screen, every piece drawn        {drawn:6.2f} s   {rate(drawn):9,.0f} tokens/s   ratio {sdk / drawn:.2f}")
        print(f"  goal (the app at least 0.8 of the SDK's rate): {'meets' if sdk / drawn >= 0.8 else 'misses'} it")
    if args.keys:
        server = ServerProcess(args.tokens, args.chunk, tokens_per_event / 1000, 1)
        os.environ["ANTHROPIC_BASE_URL"] = server.base_url
        try:
            _, _, latencies = await in_app(nothing, None, keys=args.keys)
        finally:
            server.close()
        if latencies:
            print(f"\nKey presses while a reply streams at 1,000 tokens/s ({len(latencies)} presses, 25 ms apart): {summary(latencies)}")
            p95 = sorted(latencies)[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
            print(f"  goal: p95 within 100 ms: {'meets' if p95 <= 0.1 else 'misses'} it")


if __name__ == "__main__":
    asyncio.run(main())
