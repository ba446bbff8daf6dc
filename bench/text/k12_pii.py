"""A labelled K-12 personal-information set, generated with Faker and templates (seeded).

Every message is built from a template whose slots are filled with Faker values; the generator
records the exact character span of every value it inserts, so the gold labels are exact.
Distractors that a school filter must not flag are mixed in: first name plus last initial (the
allowed form), room numbers, due dates, scores, prices, times, order numbers, "password reset".

Honest caveat: the same team wrote these templates and the detectors. Formats come from Faker
(and the district id format from the benchmark's configuration), not from the detectors' code, but
treat the result as a regression check on realistic K-12 formats, not an unbiased benchmark.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import phonenumbers
from faker import Faker

STUDENT_ID_REGEX = r"[1-9]\d{6}"  # the benchmark district: seven-digit numeric ids
STUDENT_ID_CONTEXT = [
    "student id",
    "student number",
    "student #",
    "id number",
    "lunch number",
    "id",
]
ENTITIES = (
    "PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS", "US_SSN", "DATE_OF_BIRTH",
    "STUDENT_ID", "STUDENT_FULL_NAME", "PASSWORD",
)  # fmt: skip


@dataclass
class Example:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


# {slot:ENTITY} slots are gold entities; {slot} slots are distractors or filler; {slot:IGNORE}
# marks other people's names (a guardian, a teacher): no tool is credited or blamed for them.
TEMPLATES = [
    (
        "Hi {teacher:IGNORE}, this is {guardian:IGNORE}, {student:STUDENT_FULL_NAME}'s mom. You "
        "can reach me at {phone:PHONE_NUMBER} or {email:EMAIL_ADDRESS}."
    ),
    (
        "{student:STUDENT_FULL_NAME} will be absent today. Call me at {phone:PHONE_NUMBER} if you "
        "need anything. - {guardian:IGNORE}"
    ),
    (
        "We moved! Our new address is {address:STREET_ADDRESS}. Please update {first_initial}'s "
        "records."
    ),
    "New address for {student:STUDENT_FULL_NAME}: {address:STREET_ADDRESS}",
    "my password is {password:PASSWORD} dont tell anyone lol",
    "pw: {password:PASSWORD}",
    "can u log in for me? login {username} / {password:PASSWORD}",
    "the wifi password is {password:PASSWORD}",
    "Username: {username}\nPassword: {password:PASSWORD}",
    "use my account, password is {password:PASSWORD} and my student id is {sid:STUDENT_ID}",
    "Student ID: {sid:STUDENT_ID}, lunch balance is {price}",
    "{student:STUDENT_FULL_NAME} (student #{sid:STUDENT_ID}) has a makeup test in room {room}.",
    (
        "Please fill in the form: name {student:STUDENT_FULL_NAME}, DOB {dob:DATE_OF_BIRTH}, SSN "
        "{ssn:US_SSN}."
    ),
    "{first_initial} was born on {dob_long:DATE_OF_BIRTH} and started kindergarten in {year}.",
    "Her birthday is {dob_long:DATE_OF_BIRTH}, we're having a party at {address:STREET_ADDRESS}!",
    (
        "Emergency contact for {student:STUDENT_FULL_NAME}: {guardian:IGNORE}, cell "
        "{phone:PHONE_NUMBER}, home {address:STREET_ADDRESS}"
    ),
    "i live at {address:STREET_ADDRESS} come over after school",
    "text me {phone:PHONE_NUMBER}",
    "Social security number: {ssn:US_SSN}",
    (
        "Attached is the permission slip for {first_initial}. Due {due_date}. Questions? "
        "{email:EMAIL_ADDRESS}"
    ),
    "{student:STUDENT_FULL_NAME} scored {score} on the quiz. Room {room}, period {period}.",
    "Reminder: the field trip is on {due_date} at {time}. Bring {price} for lunch.",
    "{first_initial} and {first_initial2} are partners for the science fair.",
    "Forgot your password? Use the password reset link on the library page.",
    "my password is wrong and i cant log in, can you help {teacher:IGNORE}?",
    "Order #{order} shipped. Track it online.",
    "Read chapter {period} pages {room}-{room2} for homework.",
    "Our class raised {price} for the food drive! Great job {first_initial}!",
    "DOB: {dob:DATE_OF_BIRTH} Student ID {sid:STUDENT_ID} Phone {phone:PHONE_NUMBER}",
    (
        "hey its {student:STUDENT_FULL_NAME}, my email is {email:EMAIL_ADDRESS} and my pw is "
        "{password:PASSWORD}"
    ),
    "Bus {period} leaves at {time} from {school}.",
    "Mail the check to {address:STREET_ADDRESS}. Make it out to {school} PTA.",
    "lunch number is {sid:STUDENT_ID} if you want to get me a cookie",
    "{teacher:IGNORE} said {first_initial} can use the pass to go to the nurse.",
    "The game against {school} is {due_date}. Final score last time was {score}.",
    # Added after the detectors were tuned, to check they generalise (see README).
    "Re: {student_lf:STUDENT_FULL_NAME} - schedule change approved for period {period}.",
    "yo whats ur number? mine is {phone:PHONE_NUMBER}",
    "Can you pick {first_initial} up at {address:STREET_ADDRESS} at {time}?",
    "{guardian:IGNORE} ({email:EMAIL_ADDRESS}) asked about {student:STUDENT_FULL_NAME}'s grades.",
    "fyi my school login is {username} and the password is {password:PASSWORD}",
    "SSN: {ssn_bare:US_SSN} (please keep confidential)",
    "Date of birth: {dob_long:DATE_OF_BIRTH}. Grade: {period}. ID number {sid:STUDENT_ID}.",
    "Room {room} has {period} open seats; sign up by {due_date}.",
    "We paid {price} on order {order} for the yearbook.",
    "send the forms to {email:EMAIL_ADDRESS} or drop them at the office before {time}",
]


def _valid_phone(fake: Faker) -> str:
    while True:
        number = fake.phone_number()
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(number, "US")):
                return number
        except phonenumbers.NumberParseException:
            continue


def _password(fake: Faker, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return fake.word() + str(rng.randint(1, 2020))
    if kind < 0.5:
        return fake.word().capitalize() + str(rng.randint(10, 99)) + rng.choice("!@#$?")
    if kind < 0.7:
        return fake.password(length=rng.randint(8, 14))
    if kind < 0.85:
        return rng.choice(["soccer", "dragon", "pokemon", "minecraft", "bluebird", "kitty"]) + str(
            rng.randint(1, 999)
        )
    return fake.first_name().lower() + str(rng.randint(2005, 2018))


def _address(fake: Faker, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return fake.street_address()
    if kind < 0.8:
        return fake.address().replace("\n", ", ")
    if kind < 0.9:
        return fake.address()
    return f"{fake.military_apo()}\nAPO {fake.military_state()} {fake.postalcode()}"


def generate(n: int = 1000, seed: int = 4242) -> tuple[list[Example], list[str]]:
    """``n`` messages, and the roster of the students they may name."""
    fake = Faker("en_US")
    Faker.seed(seed)
    rng = random.Random(seed)
    roster = [(fake.first_name(), fake.last_name()) for _ in range(300)]
    examples: list[Example] = []
    for i in range(n):
        template = TEMPLATES[i % len(TEMPLATES)]
        first, last = rng.choice(roster)
        first2, last2 = rng.choice(roster)
        dob = fake.date_of_birth(minimum_age=5, maximum_age=18)
        values = {
            "teacher": rng.choice(["Ms.", "Mr.", "Mrs.", "Dr."]) + " " + fake.last_name(),
            "guardian": fake.name(),
            "student": f"{first} {last}",
            "first_initial": f"{first} {last[0]}.",
            "student_lf": f"{last}, {first}",
            "ssn_bare": fake.ssn().replace("-", ""),
            "first_initial2": f"{first2} {last2[0]}.",
            "phone": _valid_phone(fake),
            "email": rng.choice(
                [
                    fake.email(),
                    fake.free_email(),
                    f"{first.lower()}.{last.lower()}@district.k12.ca.us",
                ]
            ),
            "address": _address(fake, rng),
            "password": _password(fake, rng),
            "username": fake.user_name(),
            "sid": str(rng.randint(1_000_000, 9_999_999)),
            "ssn": fake.ssn(),
            "dob": dob.strftime(rng.choice(["%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"])),
            "dob_long": dob.strftime(rng.choice(["%B %d, %Y", "%b %d %Y", "%B %-d, %Y"])),
            "year": str(rng.randint(2010, 2022)),
            "room": str(rng.randint(100, 350)),
            "room2": str(rng.randint(351, 420)),
            "period": str(rng.randint(1, 8)),
            "price": f"${rng.randint(1, 500)}.{rng.randint(0, 99):02d}",
            "score": f"{rng.randint(50, 100)}/100",
            "due_date": fake.date_this_year().strftime(rng.choice(["%m/%d/%Y", "%B %d"])),
            "time": f"{rng.randint(7, 11)}:{rng.choice(['00', '15', '30', '45'])} am",
            "order": str(rng.randint(10**9, 10**10 - 1)),
            "school": fake.last_name()
            + rng.choice([" Middle School", " High School", " Elementary"]),
        }
        examples.append(_fill(template, values))
    return examples, [f"{first} {last}" for first, last in roster]


_SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _fill(template: str, values: dict[str, str]) -> Example:
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    for m in _SLOT.finditer(template):
        literal = template[pos : m.start()]
        out.append(literal)
        length += len(literal)
        value = values[m.group(1)]
        if m.group(2):
            spans.append((length, length + len(value), m.group(2)))
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(template[pos:])
    return Example("".join(out), spans)
