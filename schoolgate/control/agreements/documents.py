"""The text people sign, rendered from the pack: the board's clauses in its own words.

The staff version carries the notice of electronic monitoring that Connecticut requires of
employers (Conn. Gen. Stat. § 31-48d); the student version is signed by the student or, on
their behalf, a parent or guardian.
"""

from __future__ import annotations

import hashlib
import textwrap

from schoolgate.policy.model import Pack

MONITORING_NOTICE = (
    "NOTICE OF ELECTRONIC MONITORING. {agency} monitors the use of its electronic resources: "
    "its network, Internet access, e-mail and the computers and devices connected to them. "
    "This includes the sites you visit, the messages you send and receive, and the files you "
    "store, and it is done by electronic means including filtering and logging systems. You "
    "should have no expectation of privacy in anything you create, store, send or receive on "
    "these systems. This notice is given under Connecticut General Statutes § 31-48d."
)

INTENT = {
    "staff": (
        "I have read the {title} (version {version}), including the notice of electronic "
        "monitoring, and I agree to abide by it. I understand that typing my name below is my "
        "electronic signature."
    ),
    "student": (
        "I have read the {title} (version {version}) and agree to follow it. I understand that "
        "typing my name below is my electronic signature."
    ),
    "guardian": (
        "As the parent or guardian of {student}, I have read the {title} (version {version}) "
        "with my child and agree on their behalf that they will follow it. I understand that "
        "typing my name below is my electronic signature."
    ),
}


def render(pack: Pack, audience: str) -> str:
    meta = pack.metadata
    numbers = f" (Policy {', '.join(meta.policy_numbers)})" if meta.policy_numbers else ""
    lines = [meta.title + numbers, meta.agency, f"Version {meta.version}", ""]
    if audience == "staff":
        lines += [textwrap.fill(MONITORING_NOTICE.format(agency=meta.agency), 78), ""]
    section = None
    for clause in pack.clauses:
        if clause.audience and audience == "student" and "student" not in clause.audience:
            continue
        if clause.section != section:
            section = clause.section
            lines += ["", section, "-" * min(len(section), 78)]
        lines.append(textwrap.fill(" ".join(clause.text.split()), 78) + f"  [{clause.id}]")
    return "\n".join(lines).strip() + "\n"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def intent(audience: str, pack: Pack, student: str = "") -> str:
    meta = pack.metadata
    return INTENT[audience].format(title=meta.title, version=meta.version, student=student)
