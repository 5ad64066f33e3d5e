"""The commit chain written in Python (`tutor.vcs.packs`) is what git itself would write.

For any chain of commits (files set, replaced, removed, a file replaced by a folder or the
reverse, empty commits, any bytes, any message): the commit ids are those `git fast-import`
gives for the same stream, and a bundle of any of its commits verifies, unbundles into a
repository `git fsck --strict` finds whole, and holds exactly what those commits reach.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.vcs._git import VcsError
from tutor.vcs.commit_chain import ChainCommit, CommitChain
from tutor.vcs.workspace.common import AUTHOR


def git(git_dir: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_DIR": str(git_dir)})
    result = subprocess.run(["git", *args], env=env, input=stdin, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode()


def fast_import_ids(git_dir: Path, commits: list[ChainCommit]) -> list[str]:
    """The ids `git fast-import` gives the same chain (the way Tutor wrote it before: one stream, raw dates)."""
    name, email = AUTHOR
    out = bytearray()
    for number, commit in enumerate(commits, start=1):
        message = commit.message.encode("utf-8", "replace")
        out += b"commit refs/heads/chain\n" + f"mark :{number}\n".encode()
        out += f"author {name} <{email}> 1767225600 +0000\ncommitter {name} <{email}> 1767225600 +0000\n".encode()
        out += f"data {len(message)}\n".encode() + message + b"\n"
        if number > 1:
            out += f"from :{number - 1}\n".encode()
        for path, content in sorted(commit.files.items()):
            quoted = b'"' + path.encode("utf-8", "replace") + b'"'
            if content is None:
                out += b"D " + quoted + b"\n"
            else:
                out += b"M 100644 inline " + quoted + b"\n" + f"data {len(content)}\n".encode() + content + b"\n"
        out += b"\n"
    out += b"done\n"
    git_dir.mkdir()
    git(git_dir, "init", "--quiet", "--bare")
    marks = git_dir / "marks"
    git(git_dir, "fast-import", "--quiet", "--done", "--date-format=raw", f"--export-marks={marks}", stdin=bytes(out))
    found = dict(line.split(" ", 1) for line in marks.read_text().splitlines())
    return [found[f":{n}"].strip() for n in range(1, len(commits) + 1)]


_NAMES = st.sampled_from(["a", "b", "a.py", "a-b", "é", "dir", "Z", "a b"])
_PATHS = st.lists(_NAMES, min_size=1, max_size=3).map("/".join)
_FILES = st.dictionaries(_PATHS, st.one_of(st.none(), st.binary(max_size=300), st.sampled_from([b"", b"x\n", b"\x00\xff"])), max_size=4)
_MESSAGES = st.text(max_size=40).filter(lambda m: "\x00" not in m)
_CHAINS = st.lists(st.builds(ChainCommit, _MESSAGES, _FILES), min_size=1, max_size=8)


def unbundled(bundle: bytes, where: Path) -> Path:
    """A new bare repository at `where` holding what `bundle` holds (its refs too), checked by `git bundle verify`."""
    (where.parent / f"{where.name}.bundle").write_bytes(bundle)
    git(where, "init", "--quiet", "--bare")
    git(where, "bundle", "verify", "--quiet", str(where.parent / f"{where.name}.bundle"))
    git(where, "fetch", "--quiet", str(where.parent / f"{where.name}.bundle"), "refs/*:refs/*")
    return where


def whole_chain(chain: CommitChain, where: Path) -> Path:
    """The whole chain unbundled into a repository at `where`, fsck'd strictly (every object well formed, every delta resolved)."""
    repo = unbundled(chain.bundle({f"refs/chain/c{n}": commit for n, commit in enumerate(chain.ids)}), where)
    git(repo, "fsck", "--strict", "--no-dangling")
    return repo


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chain=_CHAINS, data=st.data())
def test_a_chain_is_what_git_writes_and_its_bundles_are_whole(tmp_path_factory: pytest.TempPathFactory, chain: list[ChainCommit], data: st.DataObject) -> None:
    work = tmp_path_factory.mktemp("chain")
    made = CommitChain(chain)
    ids = made.ids
    assert ids == fast_import_ids(work / "reference.git", chain)
    repo = whole_chain(made, work / "repo.git")

    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4))
    refs = {f"refs/tutor/steps/s{n}": commit for n, commit in enumerate(chosen)}
    bundle = made.bundle(refs)
    scratch = unbundled(bundle, work / "scratch.git")
    heads = dict(reversed(line.split(" ", 1)) for line in git(scratch, "bundle", "list-heads", str(work / "scratch.git.bundle")).splitlines())
    assert heads == refs
    git(scratch, "fsck", "--strict", "--no-dangling")  # every object the refs reach came in the bundle
    reached = {line.split(" ", 1)[0] for line in git(repo, "rev-list", "--objects", *chosen).splitlines()}
    in_bundle = set(git(scratch, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split())
    assert reached <= in_bundle and in_bundle <= reached | set(chosen)  # what the refs reach, nothing more


def test_a_ref_to_no_commit_of_the_chain_or_no_ref_name_is_refused(tmp_path: Path) -> None:
    made = CommitChain([ChainCommit("one", {"a.py": b"x\n"})])
    tree = git(whole_chain(made, tmp_path / "repo.git"), "rev-parse", made.ids[0] + "^{tree}").strip()
    for refs in ({"refs/tutor/steps/s1": "0" * 40}, {"refs/tutor/steps/s1": tree}, {"refs/tutor/steps/s1": "HEAD"},
                 {"refs/tutor/../x": made.ids[0]}, {"main": made.ids[0]}, {}):
        with pytest.raises(VcsError):
            made.bundle(refs)


def test_a_path_that_cannot_be_in_a_tree_is_refused() -> None:
    for path in ("", "/a", "a/../b", ".git/x", 'a"b', "a\\b", "a\nb"):
        with pytest.raises(VcsError):
            CommitChain([ChainCommit("one", {path: b"x"})])


@st.composite
def edited_chains(draw: st.DrawFn) -> list[ChainCommit]:
    """Files edited a little at a time, as a session edits them: most versions are deltas of the one before."""
    files = {f"src/f{n}.py": draw(st.binary(min_size=100, max_size=2000)) for n in range(draw(st.integers(1, 5)))}
    chain = [ChainCommit("start", dict(files))]
    for step in range(draw(st.integers(1, 30))):
        path = draw(st.sampled_from(sorted(files)))
        old = files[path]
        start = draw(st.integers(0, len(old)))
        end = draw(st.integers(start, min(len(old), start + 50)))
        files[path] = old[:start] + draw(st.binary(max_size=60)) + old[end:]
        chain.append(ChainCommit(f"edit {step}", {path: files[path]}))
    return chain


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chain=edited_chains())
def test_edits_are_stored_as_deltas_git_reads(tmp_path_factory: pytest.TempPathFactory, chain: list[ChainCommit]) -> None:
    work = tmp_path_factory.mktemp("edits")
    made = CommitChain(chain)
    assert made.ids == fast_import_ids(work / "reference.git", chain)
    scratch = unbundled(made.bundle({"refs/tutor/steps/last": made.ids[-1]}), work / "scratch.git")
    git(scratch, "fsck", "--strict", "--no-dangling")  # every delta resolves to the object its id names


def test_a_long_run_of_edits_is_small_and_its_deltas_stay_shallow(tmp_path: Path) -> None:
    content = b"".join(b"line %d of a module that a long session edits again and again\n" % n for n in range(400))
    chain = [ChainCommit("start", {"src/app.py": content, **{f"src/m{n}.py": b"x = %d\n" % n for n in range(200)}})]
    for step in range(150):
        content = content.replace(b"line %d " % step, b"LINE %d " % step)
        chain.append(ChainCommit(f"edit {step}", {"src/app.py": content}))
    made = CommitChain(chain)
    bundle = made.bundle({"refs/tutor/steps/last": made.ids[-1]})
    repo = unbundled(bundle, tmp_path / "repo.git")
    assert git(repo, "show", f"{made.ids[-1]}:src/app.py").encode() == content
    whole = sum(len(data or b"") for commit in chain for data in commit.files.values())
    assert len(bundle) < whole // 20  # 151 versions of a 26 KB file and a folder of 201 files: deltas, not copies
    pack = tmp_path / "bundled.pack"  # the bundle's pack as it is (a fetch may store its objects otherwise)
    pack.write_bytes(bundle[bundle.index(b"\n\nPACK") + 2 :])
    git(repo, "index-pack", "--strict", str(pack))
    stats = git(repo, "verify-pack", "-v", str(pack.with_suffix(".idx")))
    depths = [int(line.split()[5]) for line in stats.splitlines() if len(line.split()) >= 7 and len(line.split()[0]) == 40]
    assert depths and max(depths) <= 50


@pytest.mark.parametrize("size", [0, 1, 255, 256, 511, 513, 40_000, 70_000])
def test_each_entry_is_a_zlib_stream_of_its_bytes(size: int) -> None:
    """Stored by hand when short, compressed with a window sized to it when not: zlib reads back the same bytes."""
    import random
    import zlib

    from tutor.vcs.packs import _deflated

    data = random.Random(size).randbytes(size // 2) + b"def f(x):\n    return x\n" * (size // 48)
    assert zlib.decompress(_deflated(data)) == data
