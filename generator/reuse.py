"""Reusing the last build's results in a long-running preview, by the identity of their inputs.

A preview rebuilds the whole site model on every save (load everything, then render: no list can drift
from the articles), but at 10,000 articles redoing every per-article step costs most of a second, and a
save changes one article. The session keeps the parsed files of unchanged articles as the very same
objects, so a step (a pure function) whose inputs are the same objects as last time returns its result
of last time, itself the same object; the steps after it then hit in turn. Only the steps fed by the
changed article run again.

A result is kept together with its inputs, so an input's id cannot be reused by another object while the
result is remembered. Plain values (str, int, ...) are passed apart and compared by value. Whatever a
build did not ask for is forgotten when it ends, so memory stays one build's worth. Results made under
other settings (the configuration, drafts) are never reused: ``start`` drops them.

The invariant every caller keeps: ``make`` reads nothing but its inputs, its values and the settings.
(tests/test_build_cache.py checks a preview session against cold builds after every kind of change.)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

Result = TypeVar("Result")

_Entry = tuple[tuple[Any, ...], Any]


class Reuse:
    """``reuse(step, inputs, make)``: ``make()``, or what it returned last build for the same inputs."""

    __slots__ = ("_last", "_next", "_remember", "_settings")

    def __init__(self, *, remember: bool = True) -> None:
        self._remember = remember  # False: a one-off build, which would only pay for remembering
        self._settings: object = None
        self._last: dict[tuple[Any, ...], _Entry] = {}
        self._next: dict[tuple[Any, ...], _Entry] = {}

    def start(self, settings: object) -> None:
        """A build begins under ``settings`` (compared by value): results made under others are dropped."""
        if not self._remember:
            return
        if settings != self._settings:
            self._last = {}
        self._settings, self._next = settings, {}

    def finish(self) -> None:
        """The build succeeded: what it asked for is what the next one may reuse. (A failed build never
        gets here; the next one reuses the last good build's results, which are still right.)"""
        self._last, self._next = self._next, {}

    def __call__(self, step: str, inputs: tuple[Any, ...], make: Callable[[], Result], *,
                 values: tuple[Hashable, ...] = ()) -> Result:
        """``inputs``: objects, by identity; ``values``: plain values (str, int, ...), by value."""
        if not self._remember:
            return make()
        key = (step, values, *map(id, inputs))
        entry = self._next.get(key)
        if entry is None:
            entry = self._last.get(key)
            if entry is None:
                entry = (inputs, make())
            self._next[key] = entry
        result: Result = entry[1]
        return result


NOTHING = Reuse(remember=False)  # for builds without a session: keeps nothing, so shared safely
