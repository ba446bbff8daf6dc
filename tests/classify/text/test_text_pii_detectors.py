"""Tables of text -> expected spans for the personal-information detectors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from schoolgate.classify.text.address import AddressDetector
from schoolgate.classify.text.birth_date import BirthDateDetector
from schoolgate.classify.text.context import Roster, ScanContext, StudentIdPattern
from schoolgate.classify.text.email_address import EmailDetector
from schoolgate.classify.text.errors import ContextError
from schoolgate.classify.text.phone import PhoneDetector
from schoolgate.classify.text.roster_name import RosterNameDetector
from schoolgate.classify.text.ssn import SsnDetector, valid_ssn
from schoolgate.classify.text.student_id import StudentIdDetector

Spans = Callable[..., list[str]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me at 415-555-2671 after 5", ["415-555-2671"]),
        ("my cell is (212) 555-0199", ["(212) 555-0199"]),
        ("cell (212) 456-7890 ok", ["(212) 456-7890"]),
        ("(123) 456-7890 is fake", []),  # no area code starts with 1
        ("call (123) 456-7890", ["(123) 456-7890"]),  # possible, and 'call' says it is a phone
        ("serial 0123456789", []),
        ("text 646.555.1234", ["646.555.1234"]),
        ("+1 303 555 2671 is mine", ["+1 303 555 2671"]),
        ("001-718-321-4455x123 office", ["001-718-321-4455x123"]),
        ("mom: 7185551234", ["7185551234"]),
        ("order #1234567890123 shipped", []),
        ("We paid $27.10 on order 2708448362", []),  # ten digits that number an order
        ("call order desk 270-844-8362", ["270-844-8362"]),
        ("the answer is 3.14159265", []),
        ("ISBN 978-0-306-40615-7", []),
        ("room 123-456", []),
        ("dates 2024-01-05 and 12/25/2024", []),
    ],
)
def test_phone(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(PhoneDetector(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe@lincoln-hs.k12.ca.us today", ["jane.doe@lincoln-hs.k12.ca.us"]),
        ("<a.b+tag@example.com>", ["a.b+tag@example.com"]),
        ("Email: KID_99@gmail.com.", ["KID_99@gmail.com"]),
        ("two: a@b.co, c@d.org", ["a@b.co", "c@d.org"]),
        ("@user thanks", []),
        ("not an address: me@localhost", []),
        ("price is 5@ea", []),
    ],
)
def test_email(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(EmailDetector(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live at 742 Evergreen Terrace, come by", ["742 Evergreen Terrace"]),
        (
            "ship to 1600 Pennsylvania Ave NW, Washington, DC 20500",
            ["1600 Pennsylvania Ave NW, Washington, DC 20500"],
        ),
        ("we moved to 12 Oak St. Apt 4B last week", ["12 Oak St. Apt 4B"]),
        ("address: 88 N Maple Dr\nSpringfield, IL 62704", ["88 N Maple Dr\nSpringfield, IL 62704"]),
        ("i live at 42 maple st lol", ["42 maple st"]),
        ("PO Box 1234, Austin, TX 78701", ["PO Box 1234, Austin, TX 78701"]),
        ("PSC 4115, Box 7815 APO AE 41945", ["PSC 4115, Box 7815 APO AE 41945"]),
        ("I have 3 dogs on the street", []),
        ("chapter 12 review is due", []),
        ("we scored 21 points", []),
        ("Lincoln Park is nice", []),
        ("meet at 3 pm at the park", []),
    ],
)
def test_address(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(AddressDetector(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SSN 219-09-9998 on the form", ["219-09-9998"]),
        ("her number is 536-22-1234", ["536-22-1234"]),
        ("social security 536221234", ["536221234"]),
        ("536221234 is my locker", []),  # bare nine digits need context
        ("000-12-3456 and 666-12-3456 and 912-12-3456", []),  # never issued
        ("123-45-6789", []),  # the famous example
        ("078-05-1120", []),  # the famous wallet card
        ("536-00-1234 536-22-0000", []),  # group 00, serial 0000
        ("version 536.22.1234", []),
    ],
)
def test_ssn(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(SsnDetector(), text) == expected


def test_ssn_validity_rules() -> None:
    assert valid_ssn("536", "22", "1234")
    assert not valid_ssn("000", "22", "1234")
    assert not valid_ssn("666", "22", "1234")
    assert not valid_ssn("900", "22", "1234")
    assert not valid_ssn("536", "00", "1234")
    assert not valid_ssn("536", "22", "0000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB: 04/12/2011", ["04/12/2011"]),
        ("she was born on March 3, 2010 in Ohio", ["March 3, 2010"]),
        ("date of birth 2012-07-30", ["2012-07-30"]),
        ("my birthday is june 5th!", ["june 5th"]),
        ("born 3rd of May 2009", ["3rd of May 2009"]),
        ("12/25 birthday party", ["12/25"][:0]),  # no year and not a full numeric date
        ("the test is on 04/12/2011", []),
        ("field trip March 3, 2010", []),
        ("DOB 13/45/2011", []),  # not a date
    ],
)
def test_birth_date(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(BirthDateDetector(), text) == expected


DISTRICT = ScanContext(student_id_patterns=(StudentIdPattern("district", r"S\d{7}"),))
NUMERIC = ScanContext(
    student_id_patterns=(StudentIdPattern("seven_digits", r"[1-9]\d{6}", requires_context=True),)
)


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("my id is S1234567", DISTRICT, ["S1234567"]),
        ("S1234567 and S7654321", DISTRICT, ["S1234567", "S7654321"]),
        ("XS1234567", DISTRICT, []),
        ("student id 4412345", NUMERIC, ["4412345"]),
        ("we got 4412345 views", NUMERIC, []),
        ("lunch number is 55123", ScanContext(), ["55123"]),
        ("Student ID#: AB-102938", ScanContext(), ["AB-102938"]),
        ("student 12", ScanContext(), []),
    ],
)
def test_student_id(text: str, context: ScanContext, expected: list[str], spans: Spans) -> None:
    assert spans(StudentIdDetector(), text, context) == expected


def test_student_id_pattern_errors_name_the_pattern() -> None:
    with pytest.raises(ContextError, match="'broken'"):
        StudentIdPattern("broken", r"(\d+")
    with pytest.raises(ContextError, match="empty string"):
        StudentIdPattern("empty", r"\d*")


ROSTER = ScanContext(
    roster=Roster.from_names(
        [
            "Emma Johnson",
            "Liam O'Brien",
            "Maria de la Cruz",
            "Noah Smith-Jones",
            "Heather Johnson",
            "Heather Atkins",
        ]
    )
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Emma Johnson got detention", ["Emma Johnson"]),
        ("emma johnson lol", ["emma johnson"]),
        ("Johnson, Emma (grade 7)", ["Johnson, Emma"]),
        ("ask Emma J. about it", []),  # the allowed form
        ("Emma and Johnson", []),
        ("Liam O'Brien and Noah Smith-Jones", ["Liam O'Brien", "Noah Smith-Jones"]),
        ("Maria de la Cruz won", ["Maria de la Cruz"]),
        ("Emma Q Johnson", ["Emma Q Johnson"]),
        ("Olivia Johnson is not on the roster", []),
        # both readings here; analyze() keeps "First Last" (test_text_api)
        ("this is Greg Johnson, Heather Atkins's mom", ["Johnson, Heather", "Heather Atkins"]),
        ("Emma Johnson's phone", ["Emma Johnson"]),
    ],
)
def test_roster_name(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(RosterNameDetector(), text, ROSTER) == expected


def test_roster_name_without_roster_finds_nothing(spans: Spans) -> None:
    assert spans(RosterNameDetector(), "Emma Johnson") == []


def test_roster_rejects_single_names() -> None:
    with pytest.raises(ContextError, match="entry 2"):
        Roster.from_names(["Emma Johnson", "Cher"])
