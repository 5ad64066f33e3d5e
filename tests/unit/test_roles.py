"""`plays`: a screen's roles answered as `isinstance` answers them, once per class."""

from __future__ import annotations

from tutor.ui.roles import HoldsKeys, KeepsDrafts, SettlesQuitting, Transitions, plays


class Between:
    def __init__(self) -> None:
        self.transitioning = False


class Drafts:
    def unsent_draft(self) -> bool:
        return True

    def save_drafts(self) -> None: ...


class Holds:
    @property
    def holds_keys(self) -> bool:
        return True


class Nothing: ...


def test_plays_answers_as_isinstance_for_every_role_and_class_and_again() -> None:
    roles = (HoldsKeys, Transitions, SettlesQuitting, KeepsDrafts)
    for _ in range(2):  # the second time from what it remembered
        for node in (Between(), Drafts(), Holds(), Nothing()):
            for role in roles:
                assert plays(node, role) == isinstance(node, role), (type(node).__name__, role.__name__)
    assert plays(Between(), Transitions) and plays(Drafts(), KeepsDrafts) and plays(Holds(), HoldsKeys)
    assert not plays(Nothing(), Transitions) and not plays(Drafts(), SettlesQuitting)
