"""Forms for adding a person and changing their details and roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User

from .accounts import ROLE_NAMES, email_taken, removes_own_mi_role, roles_of, username_taken


class PersonForm(forms.ModelForm):
    """Name, email and roles; the base of both the add and the change form."""

    roles = forms.MultipleChoiceField(
        choices=[(role, role) for role in ROLE_NAMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Someone with no role can sign in but sees nothing until given one.",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]

    def __init__(self, *args: Any, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        self.old_roles: list[str] = roles_of(self.instance) if self.instance.pk else []
        if self.instance.pk:
            self.fields["roles"].initial = self.old_roles
        # With single sign-on people are found by their email, so each needs one.
        self.fields["email"].required = settings.OIDC_ENABLED
        if settings.OIDC_ENABLED:
            self.fields["email"].help_text = "Their work address: single sign-on finds them by it."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email and email_taken(email, except_pk=self.instance.pk):
            raise forms.ValidationError("Someone already has this email address.", code="email_taken")
        return email

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        if self.instance.pk and removes_own_mi_role(self.acting_user, self.instance, self.old_roles, roles):
            raise forms.ValidationError(
                "You can't take the MI team role off yourself: ask another member of the MI team.",
                code="own_mi_role",
            )
        return roles


class NewPersonForm(PersonForm):
    """Adds a username and, for local accounts, a first password."""

    password1 = forms.CharField(
        label="Password",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta(PersonForm.Meta):
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if settings.OIDC_ENABLED:
            self.fields["password1"].help_text = "Leave empty for someone who signs in with Microsoft only. " + str(
                self.fields["password1"].help_text
            )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if username_taken(username):
            raise forms.ValidationError(
                "That username is taken (usernames are the same whatever their capitals).", code="username_taken"
            )
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1", ""), cleaned.get("password2", "")
        if not password1 and not settings.OIDC_ENABLED:
            self.add_error("password1", forms.ValidationError("Give a first password.", code="required"))
        elif password1 != password2:
            self.add_error("password2", forms.ValidationError("The two passwords differ.", code="password_mismatch"))
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private to Django, so not in its stubs; fills self.instance, which the similarity validator compares against
        password = self.cleaned_data.get("password1")
        if password and not self.has_error("password2"):
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        password = self.cleaned_data.get("password1")
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()  # signs in through single sign-on only
        if commit:
            user.save()
        return user
