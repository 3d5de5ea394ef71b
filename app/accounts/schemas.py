"""Public shapes of the accounts API and the page forms, with the GOV.UK error messages.

The field types below carry both the check and its message, so the JSON API (422) and the
pages (error summary) refuse the same things in the same words.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from app.accounts.emails import FORMAT as EMAIL_FORMAT
from app.accounts.emails import MAX_EMAIL_LENGTH, EmailRefused, normalise_email
from app.accounts.service import MIN_PASSWORD_LENGTH
from app.core.forms import Stripped
from app.core.forms import problem as _problem
from app.partnerships.service import active_keys
from app.statements.reference import get_reference

MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 200
# Deliberately loose: the only reliable check of an address is sending to it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NO_PARTNERSHIP = "none"


# Bidirectional controls can make a name read differently from what it is (issue 13, item 5).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u00ad\u200b\u2060\ufeff")


def _organisation_name(value: str) -> str:
    value = " ".join(value.split())  # any run of spaces (no-break ones too) reads as one
    if not value:
        raise _problem("Enter the name of your organisation")
    if any(char in _BIDI_CONTROLS or char in _INVISIBLE or not char.isprintable()
           for char in value):
        raise _problem("Organisation name must only contain letters, numbers, spaces and "
                       "punctuation, with no hidden characters")
    if len(value) > MAX_NAME_LENGTH:
        raise _problem(f"Organisation name must be {MAX_NAME_LENGTH} characters or fewer")
    return value


def _reference_key(list_name: str, message: str):
    def check(value: str) -> str:
        if value not in get_reference().keys(list_name):
            raise _problem(message)
        return value

    return check


def _teaching_partnership(value: str | None) -> str | None:
    if value in (None, "", NO_PARTNERSHIP):
        return None
    if value not in active_keys():  # a retired partnership can no longer be chosen
        raise _problem("Select a Teaching Partnership, or ‘Not in a Teaching Partnership’")
    return value


def _partnership_choice(value: str | None) -> str | None:
    # The page asks for an explicit answer, "none" included; the API takes null for none.
    if not value:
        raise _problem("Select a Teaching Partnership, or ‘Not in a Teaching Partnership’")
    return _teaching_partnership(value)


def _programmes(value: list[str]) -> list[str]:
    known = get_reference().keys("programmes")
    if not value:
        raise _problem("Select at least one programme")
    if any(item not in known for item in value):
        raise _problem("Select a programme from the list")
    return sorted(set(value))


def _email(value: str) -> str:
    if not value:
        raise _problem("Enter your email address")
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.match(value):
        raise _problem(EMAIL_FORMAT)
    try:
        return normalise_email(value)
    except EmailRefused as refused:
        raise _problem(str(refused)) from refused


def _new_password(value: str) -> str:
    if not value:
        raise _problem("Enter a password")
    if len(value) < MIN_PASSWORD_LENGTH:
        raise _problem(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")
    if len(value) > MAX_PASSWORD_LENGTH:
        raise _problem(f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer")
    return value


OrganisationName = Annotated[str, Stripped, AfterValidator(_organisation_name)]
EmployerType = Annotated[
    str, AfterValidator(_reference_key("employer_types", "Select the type of employer"))
]
Region = Annotated[str, AfterValidator(_reference_key("regions", "Select a region"))]
TeachingPartnership = Annotated[str | None, AfterValidator(_teaching_partnership)]
TeachingPartnershipChoice = Annotated[str | None, AfterValidator(_partnership_choice)]
Programmes = Annotated[list[str], AfterValidator(_programmes)]
Email = Annotated[str, Stripped, AfterValidator(_email)]
NewPassword = Annotated[str, AfterValidator(_new_password)]


class OrganisationCreate(BaseModel):
    name: OrganisationName
    employer_type: EmployerType
    region: Region
    teaching_partnership: TeachingPartnership = Field(
        default=None, description="A key from GET /reference, or null for none"
    )
    programmes: Programmes


class Registration(BaseModel):
    """`POST /auth/register`: an organisation and its first employer account."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organisation": {
                        "name": "Riverside Council",
                        "employer_type": "local_authority",
                        "region": "london",
                        "teaching_partnership": "south_london_tp",
                        "programmes": ["child_and_family"],
                    },
                    "email": "asye.lead@riverside.example.org",
                    "password": "a long pass phrase",
                }
            ]
        }
    )

    organisation: OrganisationCreate
    email: Email
    password: NewPassword = Field(description="12 characters or more")


class ErrorDetail(BaseModel):
    """Every API error: `{"detail": "a sentence"}` (422s add the raw `errors` too)."""

    detail: str


class RegistrationPublic(BaseModel):
    organisation_id: int
    user_id: int


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")


class RegisterForm(BaseModel):
    """The register page, one field per input; what was typed is kept to show it again."""

    name: OrganisationName = ""
    employer_type: EmployerType = ""
    region: Region = ""
    teaching_partnership: TeachingPartnershipChoice = ""
    programmes: Programmes = []
    email: Email = ""
    password: NewPassword = ""

    model_config = ConfigDict(validate_default=True)


class SignInForm(BaseModel):
    email: Annotated[str, Stripped] = ""
    password: str = ""

    model_config = ConfigDict(validate_default=True)

    def problems(self) -> dict[str, str]:
        """Blank fields, in page order; anything else is for the service to judge."""
        problems = {}
        if not self.email:
            problems["email"] = "Enter your email address"
        if not self.password:
            problems["password"] = "Enter your password"
        return problems


class OrganisationPublic(BaseModel):
    """`GET /organisation`: the organisation's details and its approval status (rule 15)."""

    id: int
    name: str
    employer_type: str
    region: str
    teaching_partnership: str | None
    programmes: list[str]
    status: str = Field(description="pending, approved or rejected (rule 15)")

    @classmethod
    def of(cls, organisation) -> "OrganisationPublic":
        return cls.model_validate(organisation, from_attributes=True)


class Rejection(BaseModel):
    """`POST /national/organisations/{id}/reject`: the reason, emailed to the leads."""

    reason: Annotated[str, Stripped] = Field(min_length=1, max_length=1000)


class PasswordResetRequest(BaseModel):
    """`POST /auth/password-reset`: where to send a reset link (202 whatever the address)."""

    email: Email


class PasswordSet(BaseModel):
    """`POST /auth/password-reset/{token}` and `POST /invitations/{token}`: the new password."""

    password: NewPassword = Field(description="12 characters or more")


class PasswordChange(BaseModel):
    """`POST /auth/password`: the current password and the new one."""

    current_password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    new_password: NewPassword = Field(description="12 characters or more")


class EmailForm(BaseModel):
    """A page that asks for one email address (forgotten password, asking to join)."""

    email: Email = ""

    model_config = ConfigDict(validate_default=True)


class SetPasswordForm(BaseModel):
    password: NewPassword = ""

    model_config = ConfigDict(validate_default=True)


def _current_password(value: str) -> str:
    if not value:
        raise _problem("Enter your current password")
    return value


class ChangePasswordForm(BaseModel):
    current_password: Annotated[str, AfterValidator(_current_password)] = ""
    new_password: NewPassword = ""

    model_config = ConfigDict(validate_default=True)


def _organisation_role(value: str) -> str:
    if value not in ("lead", "viewer"):
        raise _problem("Select whether they will be a lead or a viewer")
    return value


OrganisationRoleChoice = Annotated[str, AfterValidator(_organisation_role)]


class ColleaguePublic(BaseModel):
    """One person of the organisation; `invited` until they have set a password."""

    id: int
    email: str
    role: str = Field(description="lead or viewer")
    invited: bool = Field(description="Invited but has not set a password yet")

    @classmethod
    def of(cls, user) -> "ColleaguePublic":
        return cls(id=user.id, email=user.email, role=user.organisation_role,
                   invited=not user.password_hash)


class ColleagueInvite(BaseModel):
    """`POST /organisation/users`: who to invite, and as what."""

    model_config = ConfigDict(json_schema_extra={
        "examples": [{"email": "co.lead@riverside.example.org", "role": "lead"}]})

    email: Email
    role: OrganisationRoleChoice


class RoleChange(BaseModel):
    """`PATCH /organisation/users/{id}`: make a colleague a lead or a viewer."""

    role: OrganisationRoleChoice


class NationalInvite(BaseModel):
    """`POST /national/users`: the email address of a new national user."""

    email: Email


class InviteForm(BaseModel):
    email: Email = ""
    role: OrganisationRoleChoice = ""

    model_config = ConfigDict(validate_default=True)


class NationalInviteForm(BaseModel):
    email: Email = ""

    model_config = ConfigDict(validate_default=True)


class OrganisationChanges(BaseModel):
    """`PATCH /organisation`: the details to change; those left out stay as they are."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"region": "south_east"}]})

    name: OrganisationName | None = None
    employer_type: EmployerType | None = None
    region: Region | None = None
    teaching_partnership: TeachingPartnership = Field(
        default=None, description="A key from GET /reference, or null for none")
    programmes: Programmes | None = None

    @field_validator("name", "employer_type", "region", "programmes", mode="before")
    @classmethod
    def _not_null(cls, value):
        # Left out means "unchanged"; an explicit null would blank a detail every organisation
        # must have (only the Teaching Partnership may be none).
        if value is None:
            raise ValueError("cannot be null: leave it out to keep it as it is")
        return value

    def applied_to(self, organisation) -> dict:
        """Every detail, as changed: the ones given here over the organisation's own."""
        current = {name: getattr(organisation, name) for name in type(self).model_fields}
        return {**current, **self.model_dump(exclude_unset=True)}


class OrganisationForm(BaseModel):
    """The page that changes the organisation's details, one field per input."""

    name: OrganisationName = ""
    employer_type: EmployerType = ""
    region: Region = ""
    teaching_partnership: TeachingPartnershipChoice = ""
    programmes: Programmes = []

    model_config = ConfigDict(validate_default=True)


class JoinRequest(BaseModel):
    """`POST /organisations/{id}/join-requests`: who asks the leads for an invitation."""

    email: Email
