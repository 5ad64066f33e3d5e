"""The workspace's snapshot after a write or an edit, taken once the call's result is shown: `LaterSnapshots`.

Every call that may change the workspace (a write, an edit, a command) is followed by a
snapshot of it (a commit; `tutor.vcs.workspace`), which a lesson's diffs come from. The
person waits for the result, not for the snapshot, so after a write or an edit the
engine (`tutor.agent.loop`) journals and shows the result first (the tools passed an
edit's whole file through the redactor, as the snapshot will), and the snapshot follows
when the session next waits (for the agent's reply, or for the human), in a thread of
its own, one at a time: a `snapshot` record (call, commit) whose commit the fold puts
into the call's result. Started as the step ends, the thread would hold the interpreter
just as the step's caller resumes to show the result (a thread waits up to 5 ms for its
turn). A command's snapshot is still taken before its result (`take_now`).

What keeps it safe:

- nothing that may change the workspace runs before the last snapshot is journaled
  (`settle`, awaited by the loop before such a call; `settle_blocking` before saving
  the lesson and on closing), so a snapshot never holds a later call's changes;
- the record is fsynced (in the snapshot thread: no one waits for it) before the next
  change may start, so a crash, even a power cut, between a result and its snapshot
  leaves the workspace as the call left it: the next wait or settle takes it then
  (`due`: only the latest such call can lack one).

A `snapshot` record is applied when it lands, on the event loop, which may be after a
record written just after it; its fold only fills in a call's commit, which no other
record reads.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loop import GatedLoop
    from .session import CallState

Touched = tuple[str, ...] | None  # the files a call changed; None: anything (a command, a crash)


class LaterSnapshots:
    """The snapshots of one `GatedLoop`'s session: wanted as a step ends, started when the session waits, settled before the next change."""

    def __init__(self, loop: GatedLoop) -> None:
        self._loop = loop  # its `workspace`, `journal` and `state` are looked up each time (a bench may wrap them)
        self._thread: ThreadPoolExecutor | None = None  # made at the first snapshot; one thread keeps them in order
        self._wanted: tuple[CallState, Touched] | None = None  # the last call's snapshot, not started yet
        self._pending: Future[None] | None = None  # the latest snapshot started, until it is settled
        self._taken_for = ""  # the call whose `snapshot` record was written last (the state hears of it later)
        self._landed: list[dict[str, Any]] = []  # `snapshot` records written, not yet applied
        self._lock = threading.Lock()  # `start` may come from a worker (saving) as well as from the event loop

    def want(self, call: CallState, touched: Touched) -> None:
        """The snapshot after `call`, to take once the session waits (`start`)."""
        self._wanted = (call, touched)

    def start(self) -> None:
        """Start the wanted snapshot (or one a crash left due) in the snapshot thread; the session is waiting."""
        with self._lock:
            wanted, self._wanted = self._wanted, None
            if wanted is None and self._pending is None and (due := self.due()) is not None:
                wanted = (due, None)  # a crash came between its result and its snapshot: rescan
            if wanted is None:
                return
            if self._thread is None:
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tutor-snapshot")
            self._pending = self._thread.submit(self._take, *wanted)

    async def settle(self) -> None:
        """Wait until the last call's snapshot is journaled (started now if it was not)."""
        self.start()
        pending = self._pending
        if pending is not None:
            try:
                await asyncio.wrap_future(pending)
            finally:
                self._done(pending)

    def settle_blocking(self) -> None:
        """`settle` for a caller off the event loop, or one blocking it (saving the lesson in a worker; closing)."""
        self.start()
        pending = self._pending
        if pending is not None:
            try:
                pending.result()
            finally:
                self._done(pending)
        event_loop = self._loop.event_loop
        if event_loop is None or event_loop.is_closed() or running_here(event_loop):
            self._apply_landed()  # the event loop's queued callback would come too late for this caller

    def _done(self, pending: Future[None]) -> None:
        """Forget a finished snapshot (a failed one, the journal's error, is due again next time); one still
        running (its waiter was cancelled) stays pending, so it is waited for, not taken twice."""
        with self._lock:
            if pending.done() and self._pending is pending:
                self._pending = None

    def close(self) -> None:
        """Journal the snapshot still being taken, then stop the snapshot thread."""
        try:
            self.settle_blocking()
        except Exception:  # noqa: BLE001 - the journal could not take it: a resume takes the snapshot again
            pass
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None

    def due(self) -> CallState | None:
        """The latest call that may have changed the workspace, if it ran and no snapshot was journaled for it.

        Only the latest can lack one: nothing that changes the workspace runs before the
        previous snapshot is journaled. An interrupted call's result holds its own.
        """
        state = self._loop.state
        for call_id in reversed(state.order):
            call = state.calls[call_id]
            if not changes_workspace(call) or not call.started or call.result is None:
                continue
            taken = call.snapshot_taken or call.result.get("commit") or call.result.get("interrupted")
            return None if taken or call_id == self._taken_for else call
        return None

    def take_now(self, call: CallState, touched: Touched = None) -> str | None:
        """Snapshot the workspace after `call` (in the caller's thread); None if it failed (the journal then says so)."""
        loop = self._loop
        number = loop.state.order.index(call.call.id) + 1
        try:
            return loop.workspace.snapshot(f"calls/{number:04d}", f"after call {number}: {call.call.tool}", paths=touched)
        except Exception:  # noqa: BLE001 - a failed snapshot must not lose the result; the journal says it
            return None

    def _take(self, call: CallState, touched: Touched) -> None:
        """The snapshot thread's work: the snapshot, then its record (fsynced), applied on the event loop."""
        commit = self.take_now(call, touched)
        record = self._loop.journal.append("snapshot", call=call.call.id, commit=commit)
        with self._lock:
            self._landed.append(record)
            self._taken_for = call.call.id
        self._loop.on_event_loop(self._apply_landed)

    def _apply_landed(self) -> None:
        """Apply and report the `snapshot` records written, each once (the event loop's callback, or a settle on it, first)."""
        while True:
            with self._lock:
                if not self._landed:
                    return
                record = self._landed.pop(0)
            self._loop.applied(record)


def running_here(event_loop: asyncio.AbstractEventLoop) -> bool:
    """Whether this thread is the one running `event_loop`."""
    try:
        return asyncio.get_running_loop() is event_loop
    except RuntimeError:
        return False


def changes_workspace(call: CallState) -> bool:
    """Whether the call's tool may change the workspace (a write, an edit, a command): a snapshot follows it."""
    from .tools import WRITE_TOOLS

    return call.call.tool in WRITE_TOOLS
