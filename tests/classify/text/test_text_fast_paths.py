"""Shortcuts in the detectors and the tokens agree with the plain paths they skip.

Each shortcut decides from a cheap test that some work cannot find anything (no "$" in the text,
no capitals in a chunk, an empty hash-table slot); each is checked here against the work done
in full, on messages chosen so that a wrong shortcut changes the answer.
"""

from __future__ import annotations

import html
import re
from itertools import pairwise

import numpy as np
import pytest

from schoolgate.classify.text import detect, lexicon
from schoolgate.classify.text.analyze import _cuts
from schoolgate.classify.text.features import MARKERS, chunks, markers, piece_markers
from schoolgate.classify.text.lexicon import _LOOKALIKE, _TELLS, suspicious_tokens
from schoolgate.classify.text.model import shipped
from schoolgate.classify.text.textfacts import digit_runs, lowered

FRIENDLY = "hey! how are you doing today? the bus was late again, so i missed first period. "
MESSAGES = [
    "",
    "ok",
    "see you at lunch",  # no digit, no symbol, no capital
    "Call me at 415-555-2671 or mail jo.smith@example.org, @bob",  # digits and "@"
    "no digits here but an @mention and a $hit and @ss",
    "pay $50 now or 5 dollars later",
    "sh1t!! f*ck, b!tch, c0ck, fuuuuck, f.u.c.k and s-h-i-t",
    "Ｆｕｃｋ this. ѕhit happens; 🙂 emoji here. déjà vu: the café is closed.",
    "WHAT ARE YOU DOING HERE, SERIOUSLY NOW. why. Is this OK? yes",
    "lower case chat, then ONE LOUD LINE HERE NOW, then quiet again, ok then",
    "Tom &amp; Jerry &lt;3 you. &#33; is a bang, right? &#65;&#66;&#67;&#68;&#69;&#70; shout",
    "a\u00a0@ss and a\u2003$hit; x@y and q$z; wow|pipe and 100%sure",
    FRIENDLY * 6 + "i am going to shoot up the school on friday. " + "lol ok see you later " * 20,
    "word " * 790 + "end. " + "x" * 60 + " " + "a b c d. " * 100 + "i will stab you!!!",
]


def _every_tell(lower: str) -> list[re.Pattern[str]]:
    """Every tell pattern, whatever the text holds (the path before the first-character test)."""
    return [tell for tell, _ in _TELLS] + ([] if lower.isascii() else [_LOOKALIKE])


@pytest.mark.parametrize("text", MESSAGES)
def test_tells_skipped_by_their_first_characters_change_no_finding(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lower = lowered(text)
    for tell, firsts in _TELLS:
        if not any(c in lower for c in firsts):
            assert tell.search(lower) is None
    suspicious_tokens.cache_clear()
    fast_tokens, fast = suspicious_tokens(lower), detect(text)
    monkeypatch.setattr(lexicon, "_present_tells", _every_tell)
    suspicious_tokens.cache_clear()
    assert suspicious_tokens(lower) == fast_tokens
    assert detect(text) == fast
    suspicious_tokens.cache_clear()


@pytest.mark.parametrize("text", MESSAGES)
def test_digit_runs_are_the_runs_of_digits(text: str) -> None:
    assert digit_runs(text) == tuple(m.span() for m in re.finditer(r"\d+", text))


def _pieces(text: str) -> list[tuple[str, str]]:
    """(chunk, piece) for every sentence piece of every chunk, as scoring cuts them."""
    out: list[tuple[str, str]] = []
    for start, end in chunks(text):
        bounds = [start, *_cuts(text, start, end), end]
        out += [(text[start:end], text[lo:hi]) for lo, hi in pairwise(bounds)]
    return out


@pytest.mark.parametrize("text", MESSAGES)
def test_piece_markers_skip_only_markers_a_piece_cannot_have(text: str) -> None:
    for chunk, piece in _pieces(text):
        whole = html.unescape(chunk) if "&" in chunk else chunk
        among = MARKERS if "&" in chunk else piece_markers(whole, markers(whole))
        unescaped = html.unescape(piece) if "&" in piece else piece
        assert markers(unescaped, among) == markers(unescaped), piece


def test_a_shouting_sentence_in_a_quiet_chunk_still_shouts() -> None:
    text = "lower case chat, then ONE LOUD LINE HERE NOW, then quiet again, ok then"
    assert "<shout>" not in markers(text)
    assert "<shout>" in piece_markers(text, markers(text))
    assert markers("then ONE LOUD LINE HERE NOW, ", piece_markers(text, [])) == ["<shout>"]


def test_keys_that_only_look_like_a_slot_are_not_found() -> None:
    """A slot keeps its key's high bits and the id in the low ones: a key whose high bits are
    zero, or match a neighbour's, must not read an empty or foreign slot as its own."""
    model = shipped()
    size = len(model._slots)
    bare = np.arange(size, dtype=np.uint64)  # every slot number, high bits zero
    assert (model._find(bare) == -1).all()
    low = np.uint64(size - 1)
    taken = np.flatnonzero((model._slots & low) != low).astype(np.uint64)
    high = model._slots[taken] & ~low
    assert ((model._slots[taken] & low).astype(np.int64) < len(model.vocabulary)).all()
    assert (model._find(high | taken) >= 0).all()  # the key each slot holds
    assert (model._find((high ^ np.uint64(1 << 40)) | taken) == -1).all()  # a neighbour's
