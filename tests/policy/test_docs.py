"""The pack reference documents everything the code accepts (Datasette's test_docs idea)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schoolgate.engine.events import ATTRIBUTE_FIELDS
from schoolgate.engine.vocabulary import ACTIONS, CHANNELS, SANCTION_SCOPES, WORKFLOWS
from schoolgate.policy.model import Clause, Conditions, Metadata, Pack, Rule

DOC = (Path(__file__).parents[2] / "docs" / "policy-packs.md").read_text()


@pytest.mark.parametrize(
    "name",
    [*Pack.model_fields, *Conditions.model_fields, *Rule.model_fields, *Clause.model_fields,
     *Metadata.model_fields],
)  # fmt: skip
def test_every_pack_key_is_documented(name: str) -> None:
    assert f"`{name}" in DOC, f"docs/policy-packs.md does not mention `{name}`"


@pytest.mark.parametrize("name", [*CHANNELS, *ACTIONS, *WORKFLOWS, *SANCTION_SCOPES])
def test_every_vocabulary_word_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize(
    "path", sorted(f"{c}.{f}" for c, fields in ATTRIBUTE_FIELDS.items() for f in fields)
)
def test_every_attribute_is_documented(path: str) -> None:
    assert f"`{path}`" in DOC
