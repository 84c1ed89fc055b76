"""Fingerprints decide which pages are rendered again: different inputs must never share one."""

from dataclasses import dataclass

from generator.fingerprint import fingerprint


@dataclass(frozen=True)
class Point:
    x: int
    label: str


@dataclass(frozen=True)
class WithDigest:
    digest: str
    ignored: str = ""


def test_values_that_differ_never_share_a_fingerprint() -> None:
    # (A list and a tuple of the same items do share one: a template shows them alike.)
    cases = [("a", "b"), ("a\x1fb",), ("ab",), (["a", "b"],), (["b", "a"],), ({"a": "b"},), ({"b": "a"},),
             (1,), ("1",), (1.0,), (True,), (None,), ("None",), (Point(1, "a"),), (Point(1, "b"),),
             (Point(2, "a"),), ([Point(1, "a")],), ({"k": [Point(1, "a"), None]},)]
    assert len({fingerprint(*case) for case in cases}) == len(cases)


def test_equal_values_share_one_and_objects_with_a_digest_count_by_it() -> None:
    assert fingerprint({"a": [1, Point(1, "x")]}) == fingerprint({"a": [1, Point(1, "x")]})
    assert fingerprint(WithDigest("d1", "one")) == fingerprint(WithDigest("d1", "two"))
    assert fingerprint(WithDigest("d1")) != fingerprint(WithDigest("d2"))


def test_the_memo_never_confuses_two_objects() -> None:
    memo: dict[int, tuple[object, str]] = {}
    first = fingerprint([Point(1, "a")], memo=memo)
    for n in range(200):  # new objects, some of which would reuse a freed object's id without the memo's hold
        assert fingerprint([Point(n, "b")], memo=memo) == fingerprint([Point(n, "b")])
    assert fingerprint([Point(1, "a")], memo=memo) == first
