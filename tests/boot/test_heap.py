"""`freeze_booted`: a booted process's objects leave the collector's walks, and what it
makes later is still collected (run in a child process: freezing the test process would
keep every app the suite boots)."""
from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc, sys, weakref
from modelry.boot import boot
from modelry.boot.heap import freeze_booted
app = boot(database="sqlite://", modules=["demo"], lifecycle="install")
frozen = freeze_booted()
class Node: pass
node = Node(); node.me = node                    # a cycle made after the freeze
alive = weakref.ref(node); del node
gc.collect()
print(frozen, alive() is None, gc.get_freeze_count() >= frozen)
"""


def test_the_boots_objects_are_frozen_and_later_cycles_still_collected() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          timeout=120, check=True)
    frozen, collected, kept = done.stdout.split()
    assert int(frozen) > 10_000 and collected == "True" and kept == "True", done.stdout


SERVING = """
import gc
from modelry.serving import boot_for_serving
app = boot_for_serving(database="sqlite://", modules=["demo"], lifecycle="install")
schema = app.asgi.state.executor.schema.graphql
walked = {id(o) for o in gc.get_objects()}
print(id(schema) in walked, id(schema.type_map) in walked)
"""


def test_a_server_freezes_its_graphql_schema_with_the_boot() -> None:
    """The schema is most of a served app's objects: a full collection walking it took
    ~75 ms (the p99 of a read under load), so it is built before the freeze."""
    done = subprocess.run([sys.executable, "-c", SERVING], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["False", "False"], done.stdout + done.stderr


def test_a_closed_app_drops_its_graphql_schema_module() -> None:
    """The schema's generated classes live in a module of their own in sys.modules; a
    closed app drops it (else a process that boots apps again and again keeps them all)."""
    from modelry.boot import boot
    app = boot(database="sqlite://", modules=["demo"], lifecycle="install")
    name = app.asgi.state.executor.schema.namespace.name
    assert name in sys.modules
    app.close()
    assert name not in sys.modules
