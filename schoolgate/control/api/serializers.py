"""The shapes the API reads and writes. Output shapes are filled from plain dicts the views
build (`rows.py`); input shapes are `Strict` and typed (`fields.py`). Both feed the OpenAPI
document, so the document is the code."""

from __future__ import annotations

from rest_framework import serializers

from schoolgate.control.api.fields import Strict, Text, WholeNumber
from schoolgate.control.conduct.models import STATUSES
from schoolgate.control.people.models import ROLES
from schoolgate.engine.vocabulary import SANCTION_SCOPES, SEVERITIES

ACKNOWLEDGMENT = ["signed", "outstanding", "not-required"]
CONSENT_STATES = ["given", "not-given", "withdrawn", "expired"]

# ------------------------------------------------------------------ output


class OrgRef(serializers.Serializer):  # type: ignore[misc]
    id = serializers.CharField()
    name = serializers.CharField()


class PersonRef(serializers.Serializer):  # type: ignore[misc]
    id = serializers.CharField()
    display_name = serializers.CharField()


class PersonSummary(serializers.Serializer):  # type: ignore[misc]
    id = serializers.CharField(help_text="The OneRoster sourcedId.")
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    preferred_given_name = serializers.CharField(allow_blank=True)
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=ROLES)
    grade = serializers.CharField(allow_blank=True)
    school = OrgRef(allow_null=True)
    acknowledgment = serializers.ChoiceField(choices=ACKNOWLEDGMENT)
    consents = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Consents in force (students only; null for everyone else).",
    )


class ConsentState(serializers.Serializer):  # type: ignore[misc]
    consent = serializers.CharField()
    description = serializers.CharField()
    state = serializers.ChoiceField(choices=CONSENT_STATES)
    expires_at = serializers.DateTimeField(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


class Sanction(serializers.Serializer):  # type: ignore[misc]
    id = serializers.IntegerField()
    person = serializers.CharField()
    kind = serializers.ChoiceField(choices=["suspend", "revoke"])
    scope = serializers.ChoiceField(choices=SANCTION_SCOPES)
    reason = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(allow_blank=True)
    lifted_at = serializers.DateTimeField(allow_null=True)
    lifted_by = serializers.CharField(allow_blank=True)
    lift_reason = serializers.CharField(allow_blank=True)


class ClassRef(serializers.Serializer):  # type: ignore[misc]
    id = serializers.CharField()
    title = serializers.CharField()


class PersonRecord(serializers.Serializer):  # type: ignore[misc]
    id = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    preferred_given_name = serializers.CharField(allow_blank=True)
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=ROLES)
    grade = serializers.CharField(allow_blank=True)
    school = OrgRef(allow_null=True)
    acknowledgment = serializers.ChoiceField(choices=ACKNOWLEDGMENT)
    classes = ClassRef(many=True)
    guardians = PersonRef(many=True)
    consents = ConsentState(many=True)
    sanctions = Sanction(many=True, help_text="The 20 latest, in force or not.")


class StudentConsents(serializers.Serializer):  # type: ignore[misc]
    person = PersonRef()
    consents = ConsentState(many=True)


class ConsentRecorded(serializers.Serializer):  # type: ignore[misc]
    person = serializers.CharField()
    consent = serializers.CharField()
    action = serializers.ChoiceField(choices=["grant", "revoke"])
    signed_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    published = serializers.CharField(
        allow_null=True, help_text="The snapshot revision now published (null: not yet)."
    )


class SanctionChanged(serializers.Serializer):  # type: ignore[misc]
    sanction = Sanction()
    published = serializers.CharField(allow_null=True)


class IncidentEvent(serializers.Serializer):  # type: ignore[misc]
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class Incident(serializers.Serializer):  # type: ignore[misc]
    id = serializers.IntegerField()
    subject = serializers.CharField(allow_null=True)
    summary = serializers.CharField()
    severity = serializers.ChoiceField(choices=SEVERITIES)
    source = serializers.ChoiceField(choices=["decision", "manual"])
    status = serializers.ChoiceField(choices=[s for s, _ in STATUSES])
    opened_at = serializers.DateTimeField()
    opened_by = serializers.CharField(allow_null=True)
    assigned_to = serializers.CharField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField(allow_blank=True)


class IncidentRecord(Incident):
    event_id = serializers.CharField(allow_blank=True)
    decision = serializers.JSONField(allow_null=True, help_text="The decision that opened it.")
    history = IncidentEvent(many=True)
    sanctions = serializers.ListField(child=serializers.IntegerField())


class AccessLogEntry(serializers.Serializer):  # type: ignore[misc]
    at = serializers.DateTimeField()
    viewer = serializers.CharField(help_text="The signed-in username.")
    viewer_person = serializers.CharField(allow_null=True)
    subject = serializers.CharField()
    what = serializers.CharField()
    purpose = serializers.CharField()
    path = serializers.CharField(allow_blank=True)


class AddressMap(serializers.Serializer):  # type: ignore[misc]
    generated_at = serializers.DateTimeField()
    addresses = serializers.DictField(
        child=serializers.CharField(), help_text="address → person id, static then leased."
    )


class LeaseImported(serializers.Serializer):  # type: ignore[misc]
    kind = serializers.ChoiceField(choices=["isc", "kea"])
    leases = serializers.IntegerField()
    active = serializers.IntegerField()
    matched = serializers.IntegerField()
    unknown_devices = serializers.IntegerField()
    released = serializers.IntegerField()
    published = serializers.CharField(allow_null=True)


# ------------------------------------------------------------------ query strings


class DirectoryQuery(serializers.Serializer):  # type: ignore[misc]
    q = serializers.CharField(required=False, max_length=100, help_text="Part of a name.")
    role = serializers.ChoiceField(required=False, choices=ROLES)
    school = serializers.CharField(required=False, max_length=255, help_text="A school's id.")
    acknowledgment = serializers.ChoiceField(required=False, choices=ACKNOWLEDGMENT)
    consent = serializers.CharField(
        required=False, max_length=64, help_text="Only students with this consent in force."
    )


class PersonQuery(serializers.Serializer):  # type: ignore[misc]
    person = serializers.CharField(required=False, max_length=255, help_text="A person's id.")


class IncidentQuery(PersonQuery):
    status = serializers.ChoiceField(required=False, choices=[s for s, _ in STATUSES])


# ------------------------------------------------------------------ request bodies


class SuspendRequest(Strict):
    person = Text(max_length=255, help_text="The id of the person to suspend.")
    scope = serializers.ChoiceField(choices=SANCTION_SCOPES)
    days = WholeNumber(min_value=1, max_value=365)
    reason = Text(max_length=500, help_text="Shown to the person on the block page.")


class LiftRequest(Strict):
    reason = Text(max_length=500)


class ConsentRequest(Strict):
    person = Text(max_length=255, help_text="Your child's id.")
    consent = Text(max_length=64, help_text="A consent id of the policy pack.")
    action = serializers.ChoiceField(choices=["grant", "revoke"])
    typed_name = Text(max_length=200, help_text="Your full name: your electronic signature.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class LeaseUpload(Strict):
    file = serializers.FileField(help_text="ISC dhcpd.leases or Kea leases4.csv.")
    format = serializers.ChoiceField(choices=["auto", "isc", "kea"], default="auto")
