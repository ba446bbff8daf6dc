"""The OneRoster CSV files schoolgate reads, their exact headers per version, and vocabularies.

Headers are checked exactly — names and order — because a column shifted by one in a student
information system's export would otherwise put surnames in the username field. Extension
columns (`metadata.…`) may follow the standard ones and are ignored.
"""

from __future__ import annotations

from typing import Final

VERSIONS: Final = ("1.1", "1.2")

_COMMON: Final = ("sourcedId", "status", "dateLastModified")

# fmt: off
HEADERS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "1.1": {
        "orgs": (*_COMMON, "name", "type", "identifier", "parentSourcedId"),
        "academicSessions": (
            *_COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear",
        ),
        "courses": (
            *_COMMON, "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId",
            "subjects", "subjectCodes",
        ),
        "classes": (
            *_COMMON, "title", "grades", "courseSourcedId", "classCode", "classType", "location",
            "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
        ),
        "users": (
            *_COMMON, "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName",
            "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
            "grades", "password",
        ),
        "enrollments": (
            *_COMMON, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary",
            "beginDate", "endDate",
        ),
    },
    "1.2": {
        "orgs": (*_COMMON, "name", "type", "identifier", "parentSourcedId"),
        "academicSessions": (
            *_COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear",
        ),
        "courses": (
            *_COMMON, "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId",
            "subjects", "subjectCodes",
        ),
        "classes": (
            *_COMMON, "title", "grades", "courseSourcedId", "classCode", "classType", "location",
            "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
        ),
        "users": (
            *_COMMON, "enabledUser", "username", "userIds", "givenName", "familyName",
            "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
            "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
            "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
        ),
        "roles": (
            *_COMMON, "userSourcedId", "roleType", "role", "beginDate", "endDate",
            "orgSourcedId", "userProfileSourcedId",
        ),
        "enrollments": (
            *_COMMON, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary",
            "beginDate", "endDate",
        ),
    },
}
# fmt: on

# Files in a OneRoster set that schoolgate does not need (gradebook, resources, demographics).
# They may be present; they are not read.
IGNORED_FILES: Final = frozenset(
    {
        "demographics",
        "lineItems",
        "results",
        "categories",
        "classResources",
        "courseResources",
        "resources",
        "userProfiles",
        "lineItemLearningObjectiveIds",
        "lineItemScoreScales",
        "resultLearningObjectiveIds",
        "resultScoreScales",
        "scoreScales",
        "assessmentLineItems",
        "assessmentResults",
    }
)

# The order files are applied in: each refers only to files before it.
ORDER: Final = ("orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments")

MODES: Final = ("bulk", "delta", "absent")
STATUSES: Final = ("active", "tobedeleted")

ORG_TYPES: Final = frozenset({"department", "school", "district", "local", "state", "national"})
SESSION_TYPES: Final = frozenset({"gradingPeriod", "semester", "schoolYear", "term"})
CLASS_TYPES: Final = frozenset({"homeroom", "scheduled"})
ROLE_TYPES: Final = frozenset({"primary", "secondary"})

# OneRoster role → schoolgate role. 1.1 and 1.2 name roles differently; the union is accepted
# in every file that carries a role, and `ext:` roles are kept but grant no schoolgate role.
ROLES: Final[dict[str, str]] = {
    "student": "student",
    "teacher": "teacher",
    "aide": "aide",
    "proctor": "aide",
    "administrator": "administrator",
    "districtAdministrator": "administrator",
    "siteAdministrator": "administrator",
    "principal": "principal",
    "systemAdministrator": "technology-manager",
    "counselor": "counselor",
    "guardian": "guardian",
    "parent": "guardian",
    "relative": "guardian",
}
ENROLLMENT_ROLES: Final = frozenset({"administrator", "proctor", "student", "teacher", "aide"})

# CEDS grade levels → the grade names policy packs use ("7", "K", "PK").
GRADES: Final[dict[str, str]] = {
    "IT": "IT",
    "PR": "PR",
    "PK": "PK",
    "TK": "TK",
    "KG": "K",
    "PS": "PS",
    "UG": "UG",
    "Other": "Other",
    **{f"{n:02d}": str(n) for n in range(1, 14)},
}
