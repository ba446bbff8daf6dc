"""Each text format: what a line becomes, and what is reported (with file:line) when it cannot."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from schoolgate.lists import adblock, hosts, plain, rpz
from schoolgate.lists.lines import Lines, text_lines
from schoolgate.lists.model import Action, Entry, ImportReport, Scope, Severity
from schoolgate.lists.names import R_CHARS, R_IP, R_PUNYCODE

B, A = Action.BLOCK, Action.ALLOW
SUB, EXACT, BELOW = Scope.SUBTREE, Scope.EXACT, Scope.SUBDOMAINS

Parser = Callable[..., Iterator[Entry]]


def run(parser: Parser, text: str, **kwargs: object) -> tuple[list[Entry], ImportReport]:
    report = ImportReport()
    lines: Lines = text_lines(text)
    entries = list(parser(lines, source="list.txt", category="cat", report=report, **kwargs))
    return entries, report


def one(parser: Parser, line: str, **kwargs: object) -> tuple[list[Entry], ImportReport]:
    return run(parser, line, **kwargs)


def triples(entries: list[Entry]) -> list[tuple[str, Action, Scope]]:
    return [(e.name, e.action, e.scope) for e in entries]


def problems(report: ImportReport) -> list[tuple[int, Severity, str]]:
    return [(p.line, p.severity, p.reason) for p in report.problems]


# -- plain ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("example.com", [("example.com", B, SUB)]),
        ("*.example.com", [("example.com", B, BELOW)]),
        ("Example.COM.", [("example.com", B, SUB)]),
        ("example.com  # inline comment", [("example.com", B, SUB)]),
        ("# comment", []),
        ("! comment", []),
        ("", []),
        ("bücher.de", [("xn--bcher-kva.de", B, SUB)]),
    ],
)
def test_plain_lines(line: str, expected: list[tuple[str, Action, Scope]]) -> None:
    entries, report = one(plain.parse_plain, line)
    assert triples(entries) == expected
    assert not report.problems
    assert all(e.category == "cat" for e in entries)


@pytest.mark.parametrize(
    ("line", "severity", "reason"),
    [
        ("0.0.0.0 example.com", Severity.BAD, plain.R_FIELDS),
        ("http://example.com/x", Severity.SKIPPED, plain.R_URL),
        ("10.1.2.3", Severity.SKIPPED, R_IP),
        ("exa$mple.com", Severity.BAD, R_CHARS),
        ("xn--abc-.com", Severity.BAD, R_PUNYCODE),
    ],
)
def test_plain_problems(line: str, severity: Severity, reason: str) -> None:
    entries, report = run(plain.parse_plain, f"good.example\n{line}\nother.example")
    assert [e.name for e in entries] == ["good.example", "other.example"]
    assert problems(report) == [(2, severity, reason)]
    assert str(report.problems[0]).startswith("list.txt:2: ")


def test_plain_exact_scope_and_counts() -> None:
    entries, report = run(plain.parse_plain, "a.example\n*.b.example\na.example", scope=EXACT)
    assert triples(entries) == [
        ("a.example", B, EXACT),
        ("b.example", B, BELOW),
        ("a.example", B, EXACT),
    ]
    assert report.entries[("cat", B)] == 3


# -- hosts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("0.0.0.0 ads.example.com", [("ads.example.com", B, EXACT)]),
        (
            "127.0.0.1\tads.example.com tracker.example",
            [
                ("ads.example.com", B, EXACT),
                ("tracker.example", B, EXACT),
            ],
        ),
        ("::1 ads.example.com", [("ads.example.com", B, EXACT)]),
        (":: ads.example.com # trailing comment", [("ads.example.com", B, EXACT)]),
        ("0.0.0.0 ADS.Example.com.", [("ads.example.com", B, EXACT)]),
        ("# 0.0.0.0 commented.example", []),
        ("", []),
    ],
)
def test_hosts_lines(line: str, expected: list[tuple[str, Action, Scope]]) -> None:
    entries, report = one(hosts.parse_hosts, line)
    assert triples(entries) == expected
    assert not report.problems


@pytest.mark.parametrize(
    ("line", "severity", "reason"),
    [
        ("ads.example.com", Severity.BAD, hosts.R_NO_ADDRESS),
        ("0.0.0.0", Severity.BAD, hosts.R_NO_NAME),  # noqa: S104 - list text, not a bind
        ("10.0.0.5 intranet.example", Severity.SKIPPED, hosts.R_REWRITE),
        ("127.0.0.1 localhost", Severity.SKIPPED, hosts.R_LOCAL),
        ("::1 ip6-localhost", Severity.SKIPPED, hosts.R_LOCAL),
        ("0.0.0.0 0.0.0.0", Severity.SKIPPED, hosts.R_LOCAL),
        ("0.0.0.0 bad_name!.example", Severity.BAD, R_CHARS),
    ],
)
def test_hosts_problems(line: str, severity: Severity, reason: str) -> None:
    entries, report = run(hosts.parse_hosts, f"# header\n{line}")
    assert entries == []
    assert problems(report) == [(2, severity, reason)]


def test_hosts_keeps_the_good_names_of_a_line_with_one_bad_name() -> None:
    entries, report = one(hosts.parse_hosts, "0.0.0.0 good.example bad!.example also.example")
    assert [e.name for e in entries] == ["good.example", "also.example"]
    assert problems(report) == [(1, Severity.BAD, R_CHARS)]


# -- adblock -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("||example.com^", [("example.com", B, SUB)]),
        ("@@||example.com^", [("example.com", A, SUB)]),
        ("|example.com^", [("example.com", B, EXACT)]),
        ("@@|example.com^", [("example.com", A, EXACT)]),
        ("||*.example.com^", [("example.com", B, BELOW)]),
        ("||Example.COM^|", [("example.com", B, SUB)]),
        ("||example.com^$", [("example.com", B, SUB)]),
        ("||example.com", [("example.com", B, SUB)]),
        ("example.com", [("example.com", B, SUB)]),
        ("0.0.0.0 ads.example.com", [("ads.example.com", B, EXACT)]),
        ("||bücher.de^", [("xn--bcher-kva.de", B, SUB)]),
        ("! comment", []),
        ("# comment", []),
        ("[Adblock Plus 2.0]", []),
        ("", []),
    ],
)
def test_adblock_rules(line: str, expected: list[tuple[str, Action, Scope]]) -> None:
    entries, report = one(adblock.parse_adblock, line)
    assert triples(entries) == expected
    assert not report.problems


@pytest.mark.parametrize(
    ("line", "severity", "reason"),
    [
        ("||example.com^$important", Severity.SKIPPED, "unsupported modifier $important"),
        (
            "||example.com^$client=10.0.0.1,dnstype=AAAA",
            Severity.SKIPPED,
            "unsupported modifier $client, $dnstype",
        ),
        ("@@||example.com^$badfilter", Severity.SKIPPED, "unsupported modifier $badfilter"),
        ("||example.com^$~third-party", Severity.SKIPPED, "unsupported modifier $third-party"),
        ("example.com##.banner", Severity.SKIPPED, adblock.R_COSMETIC),
        ("##.banner", Severity.SKIPPED, adblock.R_COSMETIC),
        ("example.com#@#.banner", Severity.SKIPPED, adblock.R_COSMETIC),
        ("example.com#?#div:has(a)", Severity.SKIPPED, adblock.R_COSMETIC),
        ("example.com#$#body { x: y }", Severity.SKIPPED, adblock.R_COSMETIC),
        ("example.com#%#//scriptlet('x')", Severity.SKIPPED, adblock.R_COSMETIC),
        ("/^ad[0-9]+\\.example\\.com$/", Severity.SKIPPED, adblock.R_REGEX),
        ("/banner\\d+/$important", Severity.SKIPPED, adblock.R_REGEX),
        ("||example.com/ads/*", Severity.SKIPPED, adblock.R_URL),
        ("||example.com^*/ads", Severity.SKIPPED, adblock.R_URL),
        ("|https://example.com^", Severity.SKIPPED, adblock.R_URL),
        ("||example.com:8080^", Severity.SKIPPED, adblock.R_URL),
        ("||ads*.example.com^", Severity.SKIPPED, adblock.R_WILDCARD),
        ("|*.example.com^", Severity.SKIPPED, adblock.R_WILDCARD),
        ("||^", Severity.BAD, adblock.R_EMPTY),
        ("@@0.0.0.0 example.com", Severity.BAD, adblock.R_ALLOW_HOSTS),
        ("||exa mple.com^", Severity.BAD, R_CHARS),
        ("||10.1.2.3^", Severity.SKIPPED, R_IP),
    ],
)
def test_adblock_problems(line: str, severity: Severity, reason: str) -> None:
    entries, report = run(adblock.parse_adblock, f"! Title: test\n{line}\n||ok.example^")
    assert [e.name for e in entries] == ["ok.example"]
    assert problems(report) == [(2, severity, reason)]
    assert report.problems[0].where() == "list.txt:2"


def test_adblock_forced_allow() -> None:
    entries, _ = run(adblock.parse_adblock, "||a.example^\n@@||b.example^", action=A)
    assert [(e.name, e.action) for e in entries] == [("a.example", A), ("b.example", A)]


def test_adblock_notes_lenient_readings() -> None:
    _, report = run(adblock.parse_adblock, "example.com\n||other.com")
    assert report.normalised[adblock.N_BARE] == 1
    assert report.normalised[adblock.N_NO_CARET] == 1


# -- rpz -----------------------------------------------------------------------------------

ZONE = """\
$TTL 2h
$ORIGIN rpz.school.example.
@   IN SOA ns.school.example. hostmaster.school.example. (
        2026082001 ; serial
        1h 15m 1w 2h )
    IN NS  ns.school.example.
; block
bad.example          CNAME .
*.bad.example        CNAME .
nodata.example   300 IN CNAME *.
dropped.example      CNAME rpz-drop.
ok.bad.example       CNAME rpz-passthru.
abs.example.rpz.school.example. CNAME .
Upper.Example.       CNAME .
"""


def test_rpz_zone() -> None:
    entries, report = run(rpz.parse_rpz, ZONE)
    assert triples(entries) == [
        ("bad.example", B, EXACT),
        ("bad.example", B, BELOW),
        ("nodata.example", B, EXACT),
        ("dropped.example", B, EXACT),
        ("ok.bad.example", A, EXACT),
        ("abs.example", B, EXACT),
    ]
    # `Upper.Example.` is absolute and outside the origin: reported, not guessed.
    assert problems(report) == [(14, Severity.BAD, rpz.R_OUTSIDE)]
    assert report.normalised[rpz.N_DROP] == 1


@pytest.mark.parametrize(
    ("line", "severity", "reason"),
    [
        ("www.example CNAME restrict.example.", Severity.SKIPPED, rpz.R_REWRITE),
        ("www.example A 10.0.0.1", Severity.SKIPPED, rpz.R_LOCAL_DATA),
        ('www.example TXT "blocked; see policy"', Severity.SKIPPED, rpz.R_LOCAL_DATA),
        ("www.example CNAME rpz-tcp-only.", Severity.SKIPPED, rpz.R_TCP_ONLY),
        ("32.1.0.0.10.rpz-ip CNAME .", Severity.SKIPPED, f"{rpz.R_TRIGGER}: rpz-ip"),
        ("ns.example.rpz-nsdname CNAME .", Severity.SKIPPED, f"{rpz.R_TRIGGER}: rpz-nsdname"),
        ("www.example CNAME", Severity.BAD, rpz.R_CNAME_ARGS),
        ("www.example", Severity.BAD, rpz.R_NO_TYPE),
        ("* CNAME .", Severity.BAD, rpz.R_WILDCARD_ALL),
        ("other.zone. CNAME .", Severity.BAD, rpz.R_OUTSIDE),
        ("www\\.x.example CNAME .", Severity.BAD, rpz.R_ESCAPE),
        ("$INCLUDE other.zone", Severity.BAD, f"{rpz.R_DIRECTIVE} $INCLUDE"),
        ("@ CNAME .", Severity.BAD, rpz.R_APEX),
        ("x.example CNAME ( .", Severity.BAD, rpz.R_PARENS),
        ("x.example CNAME . )", Severity.BAD, rpz.R_PARENS),
        ("10.1.2.3 CNAME .", Severity.SKIPPED, R_IP),
    ],
)
def test_rpz_problems(line: str, severity: Severity, reason: str) -> None:
    text = f"$ORIGIN rpz.example.\n{line}\nok.example CNAME ."
    entries, report = run(rpz.parse_rpz, text)
    assert [e.name for e in entries] == ["ok.example"] or reason == rpz.R_PARENS
    assert problems(report) == [(2, severity, reason)]


def test_rpz_origin_from_soa_or_argument() -> None:
    from_soa = "example.rpz. 60 IN SOA a. b. 1 1 1 1 1\nwww.bad.example.rpz. CNAME .\n"
    entries, report = run(rpz.parse_rpz, from_soa)
    assert triples(entries) == [("www.bad", B, EXACT)]
    assert not report.problems
    entries, report = run(rpz.parse_rpz, "x.example.zone. CNAME .", origin="zone")
    assert triples(entries) == [("x.example", B, EXACT)]
    entries, report = run(rpz.parse_rpz, "x.example.zone. CNAME .")
    assert entries == []
    assert problems(report) == [(1, Severity.BAD, rpz.R_ORIGIN_UNKNOWN)]


def test_rpz_relative_names_without_origin() -> None:
    entries, report = run(rpz.parse_rpz, '$TTL 60\nbad.example CNAME .\n  TXT "x"\n')
    assert triples(entries) == [("bad.example", B, EXACT)]
    # The second record inherits the owner from the line above (leading whitespace).
    assert problems(report) == [(3, Severity.SKIPPED, rpz.R_LOCAL_DATA)]


def test_rpz_record_before_any_owner() -> None:
    entries, report = run(rpz.parse_rpz, "   CNAME .")
    assert entries == []
    assert problems(report) == [(1, Severity.BAD, rpz.R_NO_OWNER)]


# -- shared behaviour ------------------------------------------------------------------------


def test_details_are_capped_but_every_line_is_counted() -> None:
    report = ImportReport(detail_limit=3)
    text = "\n".join(f"bad!{i}.example" for i in range(50))
    entries = list(plain.parse_plain(text_lines(text), source="f", category="c", report=report))
    assert entries == []
    assert report.bad_lines == 50
    assert len(report.problems) == 3
    assert [p.line for p in report.problems] == [1, 2, 3]
