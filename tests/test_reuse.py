"""Reuse: a step's result of the last build, for the same inputs (objects by identity, values by value)."""

from generator.reuse import NOTHING, Reuse


class Thing:
    """An input compared by identity (two equal things are still two)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Thing)

    __hash__ = object.__hash__


def made(reuse: Reuse, step: str, inputs: tuple[object, ...], values: tuple[object, ...] = ()) -> tuple[object, bool]:
    calls = []

    def make() -> object:
        calls.append(1)
        return object()

    return reuse(step, inputs, make, values=values), bool(calls)


def test_the_same_objects_give_the_same_result_in_the_next_build():
    reuse, thing = Reuse(), Thing()
    reuse.start("settings")
    first, ran = made(reuse, "step", (thing,), ("a",))
    assert ran
    reuse.finish()
    reuse.start("settings")
    again, ran = made(reuse, "step", (thing,), ("a",))
    assert again is first and not ran


def test_an_equal_but_other_object_a_changed_value_or_another_step_is_made_again():
    reuse, thing = Reuse(), Thing()
    reuse.start("settings")
    first, _ = made(reuse, "step", (thing,), ("a",))
    reuse.finish()
    reuse.start("settings")
    for inputs, values, step in [((Thing(),), ("a",), "step"), ((thing,), ("b",), "step"),
                                 ((thing,), ("a",), "other step"), ((thing,), (1,), "step")]:
        result, ran = made(reuse, step, inputs, values)
        assert ran and result is not first


def test_other_settings_drop_everything():
    reuse, thing = Reuse(), Thing()
    reuse.start({"per_page": 2})
    first, _ = made(reuse, "step", (thing,))
    reuse.finish()
    reuse.start({"per_page": 3})
    again, ran = made(reuse, "step", (thing,))
    assert ran and again is not first


def test_what_a_build_did_not_ask_for_is_forgotten_and_a_failed_build_forgets_nothing():
    reuse, kept, dropped = Reuse(), Thing(), Thing()
    reuse.start("s")
    made(reuse, "step", (kept,))
    made(reuse, "step", (dropped,))
    reuse.finish()
    reuse.start("s")
    made(reuse, "step", (kept,))  # this build asks for one of the two, then fails (no finish)
    reuse.start("s")
    again, ran = made(reuse, "step", (dropped,))
    assert not ran  # the failed build changed nothing
    reuse.finish()
    reuse.start("s")
    assert made(reuse, "step", (kept,))[1]  # not asked for by the last good build: gone
    assert made(reuse, "step", (dropped,))[0] is again


def test_nothing_remembers_nothing():
    thing = Thing()
    first, ran = made(NOTHING, "step", (thing,))
    again, ran_again = made(NOTHING, "step", (thing,))
    assert ran and ran_again and again is not first
