"""The policy pack as a district writes it.

These models are the single source of the pack format: the loader validates YAML against them,
`schoolgate policy schema` prints the JSON Schema generated from them, and docs/policy-packs.md
describes them field by field (a test keeps the two in step). Cross-references (a rule citing a
clause, a condition naming a category) are checked by `schoolgate.policy.validate`, which can say
*where* in the YAML a wrong reference sits; these models check shape only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from schoolgate.engine.vocabulary import (
    Action,
    Channel,
    SanctionScope,
    Served,
    Severity,
    Workflow,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
ClauseId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*#[a-z0-9][a-z0-9-]*$"),
]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

FailureMode = Literal["closed", "open"]
Scalar = str | int | float | bool


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a policy must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    document: str = Field(description="The board document this pack encodes, as it is titled.")
    file: str | None = Field(
        default=None, description="Where the text came from (a file name or address)."
    )


class Metadata(Strict):
    id: Slug = Field(description="Short name of the pack, e.g. `ces`.")
    title: str
    agency: str
    policy_numbers: list[str] = Field(default_factory=list)
    adopted: dt.date | None = Field(default=None, description="Date the board adopted the policy.")
    source: Source
    version: str = Field(description="The pack's own version, e.g. `2009.1`.")
    timezone: str = Field(
        default="America/New_York", description="IANA zone for time windows such as school hours."
    )
    legal_references: list[str] = Field(default_factory=list)
    description: str | None = None


class Clause(Strict):
    id: ClauseId = Field(description="Stable id, `<pack>/<section>#<item>`; never reused.")
    section: str = Field(description="The heading the clause stands under, as the board wrote it.")
    text: str = Field(description="The board's own words, quoted.")
    served: Served = Field(
        description="enforced: by rules; workflow: by an administrative process; "
        "advisory: conduct no software can judge, served by acknowledgment and instruction."
    )
    workflow: list[Workflow] = Field(
        default_factory=list, description="The processes that serve a `workflow` clause."
    )
    summary: str | None = Field(
        default=None, description="The clause in plain words for a block page or a notice."
    )
    audience: list[Slug] = Field(
        default_factory=list, description="Roles the clause addresses; empty means everyone."
    )
    note: str | None = Field(default=None, description="How the district serves it, for auditors.")

    @model_validator(mode="after")
    def _workflow_named(self) -> Clause:
        if self.served == "workflow" and not self.workflow:
            raise ValueError(
                "a clause served by `workflow` must name the workflow(s) that serve it"
            )
        if self.served != "workflow" and self.workflow:
            raise ValueError("only a clause served by `workflow` names workflows")
        return self


class Role(Strict):
    id: Slug
    kind_of: list[Slug] = Field(
        default_factory=list,
        description="Broader roles this one belongs to: a teacher is a kind of staff.",
    )
    description: str | None = None


class Group(Strict):
    id: Slug
    kind: Literal["school", "school-level", "grade", "class", "network", "custom"]
    description: str | None = None
    grades: list[str] = Field(
        default_factory=list, description="A subject in one of these grades is in the group."
    )


class Category(Strict):
    description: str
    lists: list[Slug] = Field(
        min_length=1, description="List categories (UT1 names or the pack's custom lists)."
    )


class Window(Strict):
    days: list[Weekday] = Field(min_length=1)
    start: ClockTime
    end: ClockTime
    description: str | None = None


class Consent(Strict):
    id: Slug
    description: str
    given_by: Literal["guardian", "staff", "student"] = "guardian"


class Grant(Strict):
    id: Slug
    description: str
    granted_by: Slug = Field(description="The role that may grant it.")


class Audience(Strict):
    roles: list[Slug] = Field(default_factory=list, description="Empty means every role.")
    groups: list[Slug] = Field(default_factory=list, description="Empty means every group.")
    except_roles: list[Slug] = Field(default_factory=list)
    except_groups: list[Slug] = Field(default_factory=list)


class Range(Strict):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class Conditions(Strict):
    """All conditions present must hold (AND). Absent conditions do not constrain."""

    categories: list[Slug] | None = Field(
        default=None, description="web: the name is in one of these policy categories."
    )
    domains: list[str] | None = Field(
        default=None, description="web: the name is one of these or under one of them."
    )
    labels: dict[Slug, Annotated[float, Field(gt=0, le=1)]] | None = Field(
        default=None, description="email, publication: a classifier label at or above its score."
    )
    findings: list[Slug] | None = Field(
        default=None, description="email, publication: a detector found one of these kinds."
    )
    during: Slug | None = Field(default=None, description="Inside this time window.")
    outside: Slug | None = Field(default=None, description="Outside this time window.")
    acknowledged: bool | None = Field(
        default=None, description="false: the subject has not signed the current policy."
    )
    missing_consent: list[Slug] | None = Field(
        default=None, description="The subject lacks one of these consents."
    )
    unconsented_students: list[Slug] | None = Field(
        default=None,
        description="publication: a student shown lacks the consent this use needs "
        "(publish-work for any student, publish-full-name when named in full, "
        "publish-photo when pictured).",
    )
    missing_grant: list[Slug] | None = Field(
        default=None, description="The subject lacks one of these permissions."
    )
    sanctioned: list[SanctionScope] | None = Field(
        default=None, description="The subject has an active sanction of one of these scopes."
    )
    recipients: Range | None = Field(default=None, description="email: number of recipients.")
    external_recipients: Range | None = Field(
        default=None, description="email: number of recipients outside the district."
    )
    attachment_types: list[Slug] | None = Field(
        default=None, description="email: an attachment has one of these extensions."
    )
    attributes: dict[str, Scalar | list[Scalar]] | None = Field(
        default=None, description="A field of the channel's event equals one of these values."
    )


class Rule(Strict):
    id: Slug
    description: str | None = None
    cites: list[ClauseId] = Field(min_length=1, description="The clauses this rule enforces.")
    channels: list[Channel] = Field(min_length=1)
    applies_to: Audience = Field(default_factory=Audience)
    when: Conditions = Field(default_factory=Conditions)
    action: Action
    severity: Severity = "info"
    notify: list[Slug] = Field(default_factory=list, description="Roles told of a match.")
    incident: bool = Field(default=False, description="Open an incident on a match.")
    failure: FailureMode | None = Field(
        default=None,
        description="What to do when a condition cannot be evaluated; unset follows `failure`.",
    )
    priority: int = Field(default=0, description="Higher wins within the same precedence tier.")
    tags: list[Slug] = Field(default_factory=list, description="e.g. `bypass`, `safety`.")
    message: str | None = Field(default=None, description="Plain-English reason shown to people.")


class Default(Strict):
    channel: Channel
    action: Action
    cites: list[ClauseId] = Field(min_length=1)
    message: str | None = None


class Exceptions(Strict):
    cites: list[ClauseId] = Field(
        min_length=1,
        description="The clauses a site exception's decision cites (staff may unblock a site).",
    )
    message: str | None = Field(
        default=None, description="Plain-English reason shown with an exception's decision."
    )
    max_days: int = Field(
        default=366, ge=1, le=731, description="The longest an exception may stay open, in days."
    )


class FailurePolicy(Strict):
    default: FailureMode = "open"
    roles: dict[Slug, FailureMode] = Field(
        default_factory=dict, description="Per role, e.g. `student: closed`."
    )


class CaseExpectation(Strict):
    action: Action
    rules: list[Slug] = Field(
        default_factory=list, description="Rules that must be among those cited."
    )
    cites: list[ClauseId] = Field(default_factory=list, description="Clauses that must be cited.")


class Case(Strict):
    id: Slug
    description: str | None = None
    event: dict[str, object]
    expect: CaseExpectation


class Pack(Strict):
    schoolgate: Literal[1] = Field(description="Pack format version.")
    metadata: Metadata
    clauses: list[Clause] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    groups: list[Group] = Field(default_factory=list)
    categories: dict[Slug, Category] = Field(default_factory=dict)
    custom_lists: list[Slug] = Field(
        default_factory=list, description="The district's own list categories."
    )
    windows: dict[Slug, Window] = Field(default_factory=dict)
    consents: list[Consent] = Field(default_factory=list)
    grants: list[Grant] = Field(default_factory=list)
    failure: FailurePolicy = Field(default_factory=FailurePolicy)
    acknowledgment: Audience | None = Field(
        default=None, description="Who must sign this policy (roles and groups, e.g. grades)."
    )
    rules: list[Rule] = Field(default_factory=list)
    defaults: list[Default] = Field(min_length=1)
    exceptions: Exceptions | None = Field(
        default=None,
        description="Site exceptions staff approve from review requests: what they cite.",
    )
    cases: list[Case] = Field(default_factory=list)
