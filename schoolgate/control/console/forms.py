# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""The console's forms: labels for every field, limits on every input."""

from __future__ import annotations

from django import forms

from schoolgate.engine.vocabulary import SANCTION_SCOPES


class LoginForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150)
    password = forms.CharField(label="Password", max_length=256, widget=forms.PasswordInput)


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full name to sign", max_length=200, help_text="As the school has it."
    )


class ConsentForm(forms.Form):
    consent = forms.CharField(max_length=64, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label="Your decision",
        choices=[("grant", "I give permission"), ("revoke", "I do not give permission")],
        widget=forms.RadioSelect,
    )
    typed_name = forms.CharField(label="Type your full name to sign", max_length=200)


class SuspendForm(forms.Form):
    scope = forms.ChoiceField(label="Access to suspend", choices=[(s, s) for s in SANCTION_SCOPES])
    days = forms.IntegerField(label="For how many days", min_value=1, max_value=365, initial=3)
    reason = forms.CharField(
        label="Reason (shown to the student on the block page)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LiftForm(forms.Form):
    reason = forms.CharField(label="Why lift it early", max_length=500)


AGREEMENT_STATES = [
    ("", "any"),
    ("outstanding", "outstanding"),
    ("signed", "signed"),
    ("not-required", "not required"),
]


class DirectoryFilter(forms.Form):
    """The people directory's search: a name, the agreement's state, a school among those of
    the people the viewer may see (any other school is not a choice, so not a clue)."""

    q = forms.CharField(label="Search by name", max_length=100, required=False)
    agreement = forms.ChoiceField(label="Agreement", choices=AGREEMENT_STATES, required=False)
    school = forms.TypedChoiceField(
        label="School", coerce=int, empty_value=None, required=False, choices=[("", "any")]
    )

    def __init__(self, *args: object, schools: list[tuple[int, str]], **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")  # as the name search's label beside them
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "any"), *schools]
