"""Packaging beyond pyproject.toml: the tracing hot path, compiled to C by mypyc when asked.

Every traced feed request runs these modules' code 261 times (once per resolver instance) and
builds 81 subsegments with it; compiled, they cost X-Ray's tracing a third fewer instructions per
feed request (5.47 against 3.75 million, callgrind, the same day). They are plain typed Python, so
without a C compiler they simply run as Python and everything works the same.

``BOARD_NATIVE=1`` asks for the compiled build: ``make install`` does, in place, and so does
the Dockerfile's build stage. The OTLP exporter's encoding is compiled too: each request traced
for OTLP writes its document as spans once its response has gone out, 0.175 ms a feed trace
compiled against 0.245 ms as Python (same bytes). Other modules stay Python: compiling the
statement events and the packing as well counted the same, and the middleware and the extension
counted worse (their time is in the libraries they call; compiled coroutines and generators are
no faster).
"""

from __future__ import annotations

import os
from typing import Any

from setuptools import setup

NATIVE_MODULES = (
    "tracing/folding.py",
    "tracing/nodes.py",
    "tracing/request_trace.py",
    "tracing/resolvers.py",
    # The OTLP exporter's encoding (95 spans a feed trace).
    "tracing/document_spans.py",
    "tracing/otlp_wire.py",
)


def native_extensions() -> list[Any]:
    if os.environ.get("BOARD_NATIVE") != "1":
        return []
    from mypyc.build import mypycify  # mypy's compiler: a build-time dependency only

    return mypycify(list(NATIVE_MODULES), opt_level="3", group_name="tracing._native")


if __name__ == "__main__":
    setup(ext_modules=native_extensions())
