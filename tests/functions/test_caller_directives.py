"""Inside a declared function's body, `directives.caller()` is its caller's set (a client's
AUTHENTICATE kept), also when the pipeline runs the body with back-end directives;
`as_caller()` reads as the caller."""
from __future__ import annotations

from collections.abc import Callable

from modelry import directives, function
from modelry.boot import App
from modelry.directives import Directive

seen: list[tuple[Directive, Directive, Directive]] = []


@function(namespace="demo.Probe")
def probe() -> None:
    """Note the body's set, its caller's, and the set inside as_caller()."""
    with directives.as_caller():
        inner = directives.current()
    seen.append((directives.current(), directives.caller(), inner))


def test_the_body_knows_its_callers_directives(make_app: Callable[..., App]) -> None:
    app = make_app(["demo"])
    client = (Directive.AUTHENTICATE, Directive.FROM_CLIENT)
    with app.activate():
        with directives.scope(*client):  # no hooks, no extension points: a direct call
            probe()
        with directives.scope(*client, Directive.EXT_POINT):  # through the pipeline
            probe()
        with directives.backend_scope():
            probe()
    for _, caller, inner in seen[:2]:
        assert caller & Directive.AUTHENTICATE and caller & Directive.FROM_CLIENT
        assert inner == caller
    assert seen[0][0] == seen[0][1]  # no pipeline: the body runs with the caller's set
    assert not seen[1][0] & Directive.AUTHENTICATE  # the pipeline's: back-end directives
    assert not seen[2][1] & Directive.AUTHENTICATE
    assert directives.caller() == directives.current()  # outside any function
