"""The two-generation memo: bounded, keeps what is used, forgets the rest whole."""

from __future__ import annotations

from schoolgate.enforce.dns.memo import Memo


def test_it_never_holds_more_than_its_limit() -> None:
    memo: Memo[int, int] = Memo(100)
    for i in range(10_000):
        memo.put(i, i)
        assert len(memo) <= 100
    assert memo.get(9_999) == 9_999
    assert memo.get(0) is None


def test_an_entry_in_use_survives_generations() -> None:
    memo: Memo[str, int] = Memo(10)
    memo.put("hot", 1)
    for i in range(100):
        memo.put(f"cold{i}", i)
        assert memo.get("hot") == 1  # each hit moves it to the young generation
    assert memo.get("cold0") is None


def test_clear_forgets_everything() -> None:
    memo: Memo[str, int] = Memo(10)
    memo.put("a", 1)
    memo.clear()
    assert memo.get("a") is None and len(memo) == 0
