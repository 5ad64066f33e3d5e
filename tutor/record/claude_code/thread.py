"""Threading the conversation: the records of a session as it finally stood, rewinds marked.

Claude Code links each record to the one before it (`parentUuid`). A linear session is
one chain; a rewind (Esc Esc, `/rewind`) forks it: the user's new prompt points back to
the record before the prompt they went back to, so the file holds both timelines, the
abandoned one first. File order flattens them and the senior seems to contradict
themselves; following the links from the final leaf back to the root keeps only the
timeline that counted.

`thread` does that in linear time, without recursion:

- The final leaf is the last non-sidechain `user`/`assistant` record in file order that no
  other message hangs from (one written before its parent is not the end). Its line runs back through `parentUuid`, and through `logicalParentUuid` across a
  compaction (the boundary is a new root that names the record before it; in older
  versions the summary named nothing, and goes on from the record before it in the file).
- A branch forking off the line that holds a prompt the user typed (`is_prompt`), where
  the line goes on with a new typed prompt (after a rewind the user always types one; at
  most a few attachment or hook records come first), was abandoned by a rewind: its
  records are left out, and one `tutor-rewind` record
  (`{"type": "tutor-rewind", "abandoned": [its user/assistant records, in file order]}`)
  stands right before the record that replaced it (the line's next record after the fork).
  Other branches (progress records, a retry after an API error, the result of one of
  several parallel calls, a prompt queued while the agent worked) are kept where they
  stand. A file-history snapshot of an abandoned message goes with it (the abandoned code).
- A rewind to the first prompt leaves a second root (the first prompt had no parent):
  every root hangs off the session's start, so an earlier chain holding a prompt, before
  a final one that opens with a prompt, is abandoned the same way.
- A rewind is only ever read from the links. A file none of whose records names a parent
  (`parentUuid` null throughout: an old or hand-made transcript) holds no evidence of one:
  it is kept whole, in file order, with a note.
- Sidechain records (a subagent's work) are not part of the main chain: kept in place.

Transcripts in the wild are damaged in known ways, and nothing is lost to them:

- A parent Claude Code never wrote (it happens: retries, hooks and resumes leave dangling
  `parentUuid`s in most long sessions) is bridged to the record before its first child in
  the file, with a note; all its children hang there, so a rewind at it is still seen. At
  the very start of the file it is a resumed session's link to another file: no note.
- Other roots (a damaged transcript's restarts) make islands, each threaded on its own
  and kept in file order, with a note; records without a `uuid` are kept in file order,
  with a note.
- A cycle of links is cut at the link that points furthest ahead in the file, with a note; a record that repeats an earlier
  one's uuid is left out when it is an exact copy, kept in file order otherwise.

The result keeps file order for everything kept, but never puts a record before its
parent: Claude Code almost always appends a record after its parent, so file order is the
conversation's order once the abandoned timelines are out; where it did not (a tool's
result written before the call it answers), the record waits and follows its parent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REWIND = "tutor-rewind"
_CONVERSATION = ("user", "assistant")
_NO_PARENT = -1
_BEFORE = object()  # a parent to take from file order: the record before
_TURN_START = 20  # records a new turn may open with before its prompt (attachments, hook output)
_CONTINUED = "This session is being continued from a previous conversation"


@dataclass
class ThreadCounts:
    """How `thread` placed the records: on a chain's final line, left out, or kept in file order."""

    on_line: int = 0  # records on the final line of their island's chain
    abandoned: int = 0  # records left out with a rewind
    rewinds: int = 0  # abandoned branches, one `tutor-rewind` record each
    side_branches: int = 0  # records of branches without a typed prompt, kept in file order
    unlinked: int = 0  # records outside the chains (no uuid, sidechain, a repeated uuid), kept in file order
    copies: int = 0  # exact copies of an earlier record, left out
    bridged: int = 0  # links to a parent not in the file, joined to the record before
    islands: int = 0  # separate chains holding conversation
    cycles: int = 0  # cycles of links, cut

    @property
    def threaded(self) -> int:
        return self.on_line + self.abandoned

    @property
    def in_file_order(self) -> int:
        return self.side_branches + self.unlinked


def thread(records: list[dict[str, Any]], notes: list[str], *, is_prompt: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """The records of the conversation as it finally stood, in order, with a `tutor-rewind` record where the senior rewound."""
    return thread_with_counts(records, notes, is_prompt=is_prompt)[0]


def thread_with_counts(records: list[dict[str, Any]], notes: list[str], *,
                       is_prompt: Callable[[dict[str, Any]], bool]) -> tuple[list[dict[str, Any]], ThreadCounts]:
    """`thread`, and how it placed the records (for tests and benchmarks)."""
    threader = _Threader(records, is_prompt)
    threader.run()
    counts, left_out, markers = threader.counts, threader.left_out, threader.markers
    left_out.update(_snapshots_of(records, left_out))
    counts.unlinked = len(records) - len(left_out) - counts.on_line - counts.side_branches
    threaded = _in_order(records, threader.chains, left_out, markers)
    _note(notes, threader.chains, counts)
    return threaded, counts


def _in_order(records: list[dict[str, Any]], chains: _Chains, left_out: set[int],
              markers: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The kept records (each after the rewind records standing before it) in file order, a record never before its parent.

    Claude Code does not always append a record after its parent: a tool's result may be
    written before the call it answers. Such a record (and whatever hangs from it) waits,
    and follows its parent as soon as that is written out.
    """
    index, parent = chains.index, chains.parent
    if not chains.backward:
        threaded: list[dict[str, Any]] = []
        for position, record in enumerate(records):
            threaded.extend(markers.get(position, ()))
            if position not in left_out:
                threaded.append(record)
        return threaded
    parent_at = [_NO_PARENT] * len(records)  # a record's position -> its parent's
    for node, up in enumerate(parent):
        if up != _NO_PARENT:
            parent_at[index[node]] = index[up]
    threaded = []
    waiting: dict[int, list[int]] = {}  # a parent's position -> the positions of the records waiting for it, in file order
    held: set[int] = set()  # the positions waiting
    for position in range(len(records)):
        if position in left_out:
            threaded.extend(markers.get(position, ()))
            continue
        up = parent_at[position]
        if up != _NO_PARENT and up not in left_out and (up > position or up in held):
            waiting.setdefault(up, []).append(position)
            held.add(position)
            continue
        stack = [position]
        while stack:
            at = stack.pop()
            held.discard(at)
            threaded.extend(markers.get(at, ()))
            threaded.append(records[at])
            stack.extend(reversed(waiting.pop(at, ())))
    for up in sorted(waiting):  # never reached (the links hold no cycle): nothing is lost all the same
        threaded.extend(records[at] for at in waiting[up])
    return threaded


class _Threader:
    """One pass over the chains: each island's final line, its branches kept or left out, the rewinds to mark."""

    def __init__(self, records: list[dict[str, Any]], is_prompt: Callable[[dict[str, Any]], bool]) -> None:
        self.records = records
        self.is_prompt = is_prompt
        self.chains = _Chains(records)
        self.counts = ThreadCounts(copies=len(self.chains.copies), bridged=self.chains.bridged, cycles=self.chains.cycles)
        self.left_out: set[int] = set(self.chains.copies)
        self.markers: dict[int, list[dict[str, Any]]] = {}  # record position -> the rewind records standing before it

    def run(self) -> None:
        chains = self.chains
        if not chains.linked:  # no record names its parent: nothing tells a rewind from a reply, all stays in file order
            return
        talking: list[tuple[list[int], int]] = []  # islands holding conversation, with their last message
        for island in chains.islands():
            leaf = self._leaf(island)
            if leaf is None:  # progress records alone: nothing to thread
                self.counts.side_branches += len(island)
            else:
                talking.append((island, leaf))
        if not talking:
            return
        final_island, final_leaf = max(talking, key=lambda pair: chains.index[pair[1]])
        final_line = chains.line(final_leaf)
        start = chains.root[final_leaf]
        # Every root hangs off the session's start: a second one that holds a prompt, before a last
        # one that opens with a prompt, was abandoned by a rewind to the first prompt (whose parent is none).
        opens = _opens_turn(self.records, chains, final_line, start, self.is_prompt)
        for island, leaf in talking:
            if island is final_island:
                self._thread(island, final_line)
            elif opens and island[0] < start and self._holds_prompt(island):
                self._leave_out(island, before=start)
            else:
                self._thread(island, chains.line(leaf))

    def _thread(self, island: list[int], line: dict[int, int | None]) -> None:
        self.counts.islands += 1
        self.counts.on_line += len(line)
        for fork, branch in self.chains.branches(island, line):
            following = line.get(fork)
            if following is not None and self._holds_prompt(branch) and _opens_turn(self.records, self.chains, line, following, self.is_prompt):
                self._leave_out(branch, before=following)
            else:
                self.counts.side_branches += len(branch)

    def _leave_out(self, nodes: list[int], *, before: int) -> None:
        positions = [self.chains.index[n] for n in nodes]
        abandoned = [self.records[p] for p in positions if self.records[p].get("type") in _CONVERSATION]
        self.markers.setdefault(self.chains.index[before], []).append({"type": REWIND, "abandoned": abandoned})
        self.left_out.update(positions)
        self.counts.abandoned += len(nodes)
        self.counts.rewinds += 1

    def _holds_prompt(self, nodes: list[int]) -> bool:
        return any(self.is_prompt(self.records[self.chains.index[n]]) for n in nodes)

    def _leaf(self, island: list[int]) -> int | None:
        """The island's last message in file order that no message follows (one written before its parent is not the end)."""
        records, index = self.records, self.chains.index
        if not self.chains.backward:  # every message stands after its parent: the last one is the end
            return next((node for node in reversed(island) if records[index[node]].get("type") in _CONVERSATION), None)
        answered = self._answered
        last = None
        for node in reversed(island):
            if records[index[node]].get("type") in _CONVERSATION:
                if not answered[node]:
                    return node
                last = node if last is None else last
        return last

    @functools.cached_property
    def _answered(self) -> bytearray:
        """For each node, whether a message hangs from it."""
        records, index, parent = self.records, self.chains.index, self.chains.parent
        answered = bytearray(len(parent))
        for node, up in enumerate(parent):
            if up != _NO_PARENT and records[index[node]].get("type") in _CONVERSATION:
                answered[up] = 1
        return answered


def _is_compaction(record: dict[str, Any]) -> bool:
    if record.get("subtype") == "compact_boundary" or record.get("isCompactSummary") is True:
        return True
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list) and content and isinstance(content[0], dict):
        content = content[0].get("text")
    return isinstance(content, str) and content[:200].lstrip().startswith(_CONTINUED)


def _opens_turn(records: list[dict[str, Any]], chains: _Chains, line: dict[int, int | None], start: int,
                is_prompt: Callable[[dict[str, Any]], bool]) -> bool:
    """Whether the line goes on from `start` with a prompt the user typed, before the agent says anything.

    After a rewind it always does: the user went back to one of their prompts and typed
    another. A branch holding a typed prompt where the line goes on mid-turn (with a tool's
    result, the agent's next words) is no rewind: a prompt queued while the agent worked, say.
    """
    node: int | None = start
    for _ in range(_TURN_START):
        if node is None:
            return False
        record = records[chains.index[node]]
        if is_prompt(record):
            return True
        if record.get("type") == "assistant":
            return False
        node = line[node]
    return False


def _snapshots_of(records: list[dict[str, Any]], left_out: set[int]) -> list[int]:
    """The file-history snapshots taken for a message that was left out (their `messageId` is its uuid)."""
    gone = {records[i].get("uuid") for i in left_out}
    gone.discard(None)
    if not gone:
        return []
    return [i for i, r in enumerate(records)
            if r.get("type") == "file-history-snapshot" and isinstance(r.get("messageId"), str) and r["messageId"] in gone]


def _note(notes: list[str], chains: _Chains, counts: ThreadCounts) -> None:
    if counts.rewinds:
        notes.append(f"followed the conversation to where it finally stood: the senior rewound {_times(counts.rewinds)}; "
                     f"the {counts.abandoned} record(s) they went back on are left out, each rewind shown where it happened")
    messages = 0 if chains.linked else sum(1 for position in chains.index if chains.records[position].get("type") in _CONVERSATION)
    if messages > 1:
        notes.append(f"none of the {messages} messages names the one before it (an old or hand-made transcript): "
                     "kept in file order, so a rewind among them cannot be told apart")
    if chains.without_uuid:
        notes.append(f"{chains.without_uuid} message(s) carry no uuid (an old or damaged transcript): kept in file order, "
                     "so a rewind among them cannot be told apart")
    if counts.bridged:
        notes.append(f"{counts.bridged} record(s) point to a parent that is not in the file's main chain (one Claude Code did not write): "
                     "each is joined to the record before it in the file")
    if counts.islands > 1:
        notes.append(f"the file holds {counts.islands} separate chains of the same session: each followed on its own, kept in file order")
    if counts.cycles:
        notes.append(f"the records' parent links form {counts.cycles} cycle(s): cut where each closes")
    if counts.copies:
        notes.append(f"left out {counts.copies} exact copy(ies) of an earlier record (the same uuid and content)")
    if chains.reused:
        notes.append(f"{chains.reused} record(s) reuse an earlier record's uuid with other content: kept in file order, outside the chain")


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


class _Chains:
    """The parent links between a transcript's records, as arrays over nodes (the records that can be threaded)."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.index: list[int] = []  # node -> position of its record in the file
        self.copies: list[int] = []  # positions of exact copies of an earlier record
        self.without_uuid = 0  # user/assistant records without a uuid
        self.linked = False  # whether any record names a parent (a file whose records all say null holds no chain to follow)
        self.backward = False  # whether a record stands before its parent in the file
        self.reused = 0  # records reusing a uuid with other content
        self.bridged = 0
        self.cycles = 0
        node_of: dict[str, int] = {}
        parent_ids: list[Any] = []
        for position, record in enumerate(records):
            if record.get("isSidechain") is True:
                continue
            uuid = record.get("uuid")
            if not isinstance(uuid, str) or not uuid:
                if record.get("type") in _CONVERSATION:
                    self.without_uuid += 1
                continue
            if uuid in node_of:
                if record == records[self.index[node_of[uuid]]]:
                    self.copies.append(position)
                else:
                    self.reused += 1
                continue
            node_of[uuid] = len(self.index)
            self.index.append(position)
            parent = record.get("parentUuid")
            if parent is None:
                parent = record.get("logicalParentUuid")  # a compaction boundary names the record before it here
            if parent is None and _is_compaction(record):
                parent = _BEFORE  # older versions named nothing: the summary goes on from the record before it
            parent_ids.append(parent)
        self.parent: list[int] = []
        previous = _NO_PARENT  # the last node before, not a progress record (those are side leaves, never the line)
        stand_in: dict[str, int] = {}  # a missing parent -> the node standing in for it, the same for all its children (a rewind)
        for node, parent_id in enumerate(parent_ids):
            if parent_id is _BEFORE:
                self.parent.append(previous)
            elif parent_id is None or (not isinstance(parent_id, str)):
                self.parent.append(_NO_PARENT)
            elif parent_id in node_of and node_of[parent_id] != node:
                self.parent.append(node_of[parent_id])
                self.linked = True
                self.backward = self.backward or node_of[parent_id] > node
            else:  # a parent never written (or the record itself): the record before the first of its children stands in
                if parent_id not in stand_in:
                    stand_in[parent_id] = previous
                    if previous != _NO_PARENT:
                        self.bridged += 1
                self.parent.append(stand_in[parent_id])
                self.linked = True
            if records[self.index[node]].get("type") != "progress":
                previous = node
        self.root = self._roots()

    def _roots(self) -> list[int]:
        """Each node's root: the top of its chain, cycles cut where they close."""
        count = len(self.parent)
        root = [_NO_PARENT] * count
        on_path = [False] * count
        for start in range(count):
            path: list[int] = []
            node = start
            while root[node] == _NO_PARENT:
                path.append(node)
                on_path[node] = True
                up = self.parent[node]
                if up == _NO_PARENT:
                    top = node
                    break
                if on_path[up]:  # the links loop back into this walk: cut the loop
                    top = self._cut(path[path.index(up):])
                    break
                node = up
            else:
                top = root[node]
            for walked in path:
                root[walked] = top
                on_path[walked] = False
        return root

    def _cut(self, loop: list[int]) -> int:
        """Cut a loop of links at the one that points furthest ahead in the file (Claude Code writes a parent before its
        child, almost always), else where it closes; the node cut loose is the loop's root."""
        parent = self.parent
        cut = max(loop, key=lambda node: parent[node] - node)
        if parent[cut] < cut:
            cut = loop[-1]
        parent[cut] = _NO_PARENT
        self.cycles += 1
        return cut

    def islands(self) -> list[list[int]]:
        """The nodes of each chain (one root each), in file order; the islands in the order of their first record."""
        members: dict[int, list[int]] = {}
        for node, top in enumerate(self.root):
            members.setdefault(top, []).append(node)
        return list(members.values())

    def line(self, leaf: int) -> dict[int, int | None]:
        """The nodes from the root to `leaf`, each mapped to the next one on the line (the leaf to None)."""
        following: dict[int, int | None] = {leaf: None}
        node = leaf
        while self.parent[node] != _NO_PARENT:
            following[self.parent[node]] = node
            node = self.parent[node]
        return following

    def branches(self, island: list[int], line: dict[int, int | None]) -> list[tuple[int, list[int]]]:
        """Each branch off the line: the line node it forks from, and its nodes in file order (branches by their first node)."""
        top_of: dict[int, int] = {}  # off-line node -> the first node of its branch (whose parent is on the line)
        for start in island:
            if start in line or start in top_of:
                continue
            path: list[int] = []
            node = start
            while node not in line and node not in top_of:
                path.append(node)
                node = self.parent[node]  # every node of the island reaches its root, which is on the line
            top = top_of[node] if node in top_of else path[-1]
            for walked in path:
                top_of[walked] = top
        grouped: dict[int, list[int]] = {}
        for node in island:
            if node in top_of:
                grouped.setdefault(top_of[node], []).append(node)
        return [(self.parent[top], nodes) for top, nodes in grouped.items()]
