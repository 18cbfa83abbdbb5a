"""Synthesizing the CDK app under deploy/, with cdk-nag's AwsSolutions pack as its judge.

Synthesis runs the CDK's JavaScript core through Node (~8 s here); without Node, or without the
``deploy`` extra (``make test`` installs it only where Node is found), these tests skip.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

NO_NODE = "the CDK app needs Node.js to synthesize (CI has it); `node` is not on PATH"
NO_CDK = (
    "the deploy extra (aws-cdk-lib, cdk-nag) is not installed; `make test` adds it where Node is"
)


def require_cdk() -> None:
    if shutil.which("node") is None:
        pytest.skip(NO_NODE, allow_module_level=True)
    try:
        import aws_cdk  # noqa: F401
        import cdk_nag  # noqa: F401
    except ImportError:
        pytest.skip(NO_CDK, allow_module_level=True)


@dataclass(frozen=True)
class Synthesized:
    """One synthesized stack: its template (as CDK assertions and as JSON) and its assembly."""

    template: Any  # aws_cdk.assertions.Template
    json: dict[str, Any]
    outdir: Path
    stack_name: str

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            name: resource
            for name, resource in self.json["Resources"].items()
            if resource["Type"] == kind
        }

    def metadata(self) -> dict[str, list[dict[str, Any]]]:
        path = self.outdir / f"{self.stack_name}.metadata.json"
        data: dict[str, list[dict[str, Any]]] = json.loads(path.read_text())
        return data


def synthesize(context: Mapping[str, str]) -> Iterator[Synthesized]:
    require_cdk()
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from deploy.app import build_app

    with tempfile.TemporaryDirectory(prefix="board-cdk-") as outdir:
        app = App(outdir=outdir, context={"region": "us-east-1", **context})
        stack = build_app(app)
        # Raises when cdk-nag reports a finding nobody acknowledged.
        assembly = app.synth()
        template = assembly.get_stack_by_name(stack.stack_name).template
        yield Synthesized(Template.from_json(template), template, Path(outdir), stack.stack_name)
