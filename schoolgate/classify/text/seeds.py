"""The small hand-written sets for labels no public data set covers, expanded from templates.

Each ``seed_sets/<name>.json`` holds positive and negative templates with {slots}. Expansion is
seeded, and templates (not sentences) are split between training and validation (every
fourth template is held out), so a
validation score measures phrasings the model never saw, within this small synthetic world.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from importlib import resources

SEED_SETS = (
    "threat",
    "self_harm",
    "dangerous",
    "sexual",
    "solicitation",
    "political",
    "chain_letter",
)
_SLOT = re.compile(r"\{(\w+)\}")
_FILLER_RATE = 0.4
_PER_TEMPLATE = 10
_VAL_EVERY = 4


@dataclass(frozen=True, slots=True)
class SeedExample:
    text: str
    label: str  # the label the set is about ("spam" for chain letters)
    positive: bool
    template: int
    seed_set: str


def load_raw(name: str) -> dict[str, object]:
    raw = resources.files("schoolgate.classify.text").joinpath(f"seed_sets/{name}.json")
    data: dict[str, object] = json.loads(raw.read_text(encoding="utf-8"))
    return data


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError("seed file: expected a list")
    return value


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    text = template
    for _ in range(4):  # slots may name slots: "{target}" -> "Mr. {teacher}"
        if "{" not in text:
            break
        text = _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    style = rng.random()
    if style < 0.3:
        text = text.lower()
    elif style < 0.6:
        text = text[:1].upper() + text[1:]
    return text


def expand(name: str, seed: int) -> tuple[list[SeedExample], list[SeedExample]]:
    """(train, validation) examples of one seed set."""
    data = load_raw(name)
    label = str(data["label"])
    slots: dict[str, list[str]] = {}
    for key in ("slots", "extra_slots", "negative_slots"):
        part = data.get(key)
        if isinstance(part, dict):
            slots.update({str(k): [str(x) for x in v] for k, v in part.items()})
    rng = random.Random(f"{seed}:{name}")
    fillers = [str(x) for x in _list(load_raw("fillers")["lines"])]
    train: list[SeedExample] = []
    val: list[SeedExample] = []
    for polarity in ("positive", "negative"):
        templates = data[polarity]
        if not isinstance(templates, list):
            raise TypeError(f"seed_sets/{name}.json: {polarity} must be a list")
        # Every fourth template (the 4th, 8th, …) is held out for validation, so the first,
        # core phrasing of each set is always learnt and the split never depends on luck.
        held = {t for t in range(len(templates)) if t % _VAL_EVERY == _VAL_EVERY - 1}
        for t, template in enumerate(templates):
            seen: set[str] = set()
            for _ in range(_PER_TEMPLATE * 3):
                if len(seen) >= _PER_TEMPLATE:
                    break
                seen.add(_fill(str(template), slots, rng))
            for text in sorted(seen):
                if rng.random() < _FILLER_RATE:
                    line = rng.choice(fillers)
                    text = f"{line} {text}" if rng.random() < 0.5 else f"{text} {line}"
                example = SeedExample(text, label, polarity == "positive", t, name)
                (val if t in held else train).append(example)
    return train, val
