"""The API's own request and response shapes (marshmallow).

Form documents are never re-validated here: that is the form's JSON Schema's
job. Unknown fields are refused; fields the service sets (``revision``,
``state``, ``agency``, ``submitted_by``, ...) are ``dump_only`` and refused,
by name, when a client sends them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from scr_returns.core.descriptors import json_pointer
from scr_returns.core.errors import EnvelopeInvalidError, Problem

REF = validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{2,63}$",
                      error="A reference is 3-64 capital letters, digits and hyphens.")
NAME = validate.Regexp(r"^[a-z][a-z0-9-]{0,39}$",
                       error="A name is lower-case letters, digits and hyphens.")
REVIEW_TYPES = ("rapid-review", "cspr", "scr", "wales-concise", "wales-extended")
REVIEW_STATUSES = ("open", "returns-requested", "analysis", "completed", "published")
RETURN_STATES = ("submitted", "queried", "accepted")


class WholeNumber(fields.Integer):
    """A JSON integer, as JSON Schema counts them: ``3`` or ``3.0``, never ``3.5``,
    ``"3"`` or ``true`` (the OpenAPI document's ``integer`` means the same)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Base(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


KLOE_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
                          error="A KLOE id is 1-40 letters, digits, dots, hyphens and "
                                "underscores, as the partnership writes it (e.g. KLOE-1).")
AGE_BANDS = ("unborn", "under-1", "1-5", "6-10", "11-15", "16-17", "18-24", "25-34", "35-44",
             "45-54", "55-64", "65-plus", "not-known")
"""Age bands of the subject register: the National Panel's bands for children, ten-year
bands for adults (our design); with the sex, for the analysis, not identifying alone."""
SEXES = ("female", "male", "indeterminate", "not-known")
"""Sex as recorded (the NHS data dictionary's stated-gender categories, by name)."""


class SubjectSchema(Base):
    key = fields.String(required=True, validate=NAME)
    role = fields.String(required=True, validate=validate.Length(1, 100))
    description = fields.String(validate=validate.Length(1, 500))
    age_band = fields.String(validate=validate.OneOf(AGE_BANDS), metadata={
        "description": "The subject's age band at the time of the incident (not-known if "
                       "the records do not say), for the review's analysis."})
    sex = fields.String(validate=validate.OneOf(SEXES), metadata={
        "description": "The subject's sex as recorded (not-known if the records do not "
                       "say), for the review's analysis."})


class KloeSchema(Base):
    id = fields.String(required=True, validate=KLOE_ID, metadata={
        "description": "The key line of enquiry's id as the partnership writes it, e.g. "
                       "KLOE-1; unique in the review whatever the case."})
    question = fields.String(required=True, validate=validate.Length(1, 2000))


class FormDueSchema(Base):
    form = fields.String(required=True, validate=NAME)
    due = fields.Date(allow_none=True, load_default=None)


class AgencyAskedSchema(Base):
    agency = fields.String(required=True, validate=NAME)
    forms = fields.List(fields.Nested(FormDueSchema), required=True,
                        validate=validate.Length(min=1))


class ScopeSchema(Base):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")

    @validates_schema
    def _ordered(self, data: Mapping[str, Any], **_: Any) -> None:
        if data["start"] > data["end"]:
            raise ValidationError("The scoping period must not end before it starts.", "to")


class ReviewSchema(Base):
    """A review: what an admin opens, what every caller reads."""

    ref = fields.String(required=True, validate=REF)
    type = fields.String(required=True, validate=validate.OneOf(REVIEW_TYPES))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    status = fields.String(load_default="open", validate=validate.OneOf(REVIEW_STATUSES))
    scoping_period = fields.Nested(ScopeSchema, required=True)
    terms_of_reference = fields.String(allow_none=True, load_default=None,
                                       validate=validate.Length(max=20000))
    subjects = fields.List(fields.Nested(SubjectSchema), load_default=list)
    kloes = fields.List(fields.Nested(KloeSchema), load_default=list)
    agencies = fields.List(fields.Nested(AgencyAskedSchema), load_default=list)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    @validates_schema
    def _unique(self, data: Mapping[str, Any], **_: Any) -> None:
        for name, key in (("subjects", "key"), ("kloes", "id"), ("agencies", "agency")):
            # NOTE: KLOE ids are compared without case: KLOE-1 and kloe-1 are one line.
            seen = [item[key].casefold() if name == "kloes" else item[key]
                    for item in data.get(name) or []]
            if len(seen) != len(set(seen)):
                raise ValidationError(f"Each {key} may appear only once.", name)
        for i, asked in enumerate(data.get("agencies") or []):
            forms = [f["form"] for f in asked.get("forms") or []]
            if len(forms) != len(set(forms)):
                raise ValidationError({"agencies": {i: {"forms": [
                    "Each form may appear only once for an agency."]}}})


class ReviewPatchSchema(ReviewSchema):
    """Any of a review's changeable fields; ``ref`` and ``type`` are fixed at opening."""

    class Meta(Base.Meta):
        exclude = ("ref", "type")


class ReturnPutSchema(Base):
    """The envelope of a submitted return."""

    document = fields.Dict(required=True, metadata={
        "description": "The form's document, valid against the form's JSON Schema."})
    schema_version = WholeNumber(load_default=None, validate=validate.Range(min=1),
                                 metadata={"description": "Form version to check against; "
                                              "default the newest offered."})
    reason = fields.String(load_default=None, validate=validate.Length(1, 2000), metadata={
        "description": "Why this revision: what changed and why (for an amendment, or the "
                       "answer to the panel's query). Kept with the revision's event in the "
                       "return's history."})
    # Set by the service only:
    review = fields.String(dump_only=True)
    agency = fields.String(dump_only=True)
    form = fields.String(dump_only=True)
    revision = fields.Integer(dump_only=True)
    state = fields.String(dump_only=True)
    submitted_at = fields.AwareDateTime(dump_only=True)
    submitted_by = fields.String(dump_only=True)
    warnings = fields.List(fields.Dict(), dump_only=True)
    created = fields.Boolean(dump_only=True)


class RevisionSchema(Base):
    revision = fields.Integer(dump_only=True)
    schema_version = fields.Integer(dump_only=True)
    submitted_at = fields.AwareDateTime(dump_only=True)
    submitted_by = fields.String(dump_only=True)
    warnings = fields.List(fields.Dict(), dump_only=True)
    document = fields.Dict(dump_only=True)


class StateChangeSchema(Base):
    """The panel moves a return to another review state."""

    state = fields.String(required=True, validate=validate.OneOf(RETURN_STATES), metadata={
        "description": "queried (needs a comment for the agency), accepted, or submitted "
                       "(reopens an accepted return; needs a reason)"})
    comment = fields.String(load_default=None, validate=validate.Length(1, 20000), metadata={
        "description": "The query to the agency, the reason for reopening, or a note"})


class ValidateSchema(Base):
    """A dry run: a document, and optionally the form version to check it against."""

    document = fields.Dict(required=True)
    schema_version = WholeNumber(load_default=None, validate=validate.Range(min=1))


class TokenCreateSchema(Base):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(("admin", "panel", "agency")))
    agency = fields.String(load_default=None, validate=NAME)
    reviews = fields.List(fields.String(validate=REF), load_default=list)
    expires_in_days = WholeNumber(load_default=None, validate=validate.Range(min=1))
    id = fields.String(dump_only=True)
    token = fields.String(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    expires_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True)
    last_used_at = fields.AwareDateTime(dump_only=True)


class ProblemSchema(Base):
    pointer = fields.String()
    code = fields.String()
    message = fields.String()
    severity = fields.String(validate=validate.OneOf(("error", "warning")))


class ErrorSchema(Base):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    problems = fields.List(fields.Nested(ProblemSchema))


def _flatten(messages: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str, str]]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            sub = path if key == "_schema" else (*path, key)
            yield from _flatten(value, sub)
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield json_pointer(*path), message
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, path)
    else:
        yield json_pointer(*path), str(messages)


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Load ``data`` with ``schema``; every problem raised at once, located by pointer."""
    if not isinstance(data, Mapping):
        raise EnvelopeInvalidError([Problem("", "request.type", "The body must be a JSON object.",
                                            "error", "envelope")])
    read_only = sorted(k for k, f in schema.fields.items() if f.dump_only and
                       (f.data_key or k) in data)
    problems = [Problem(json_pointer(name), "request.read_only",
                        f"'{name}' is set by the service and may not be sent.", "error",
                        "envelope") for name in read_only]
    clean = {k: v for k, v in data.items() if k not in read_only}
    try:
        loaded: dict[str, Any] = schema.load(clean)
    except ValidationError as exc:
        for pointer, message in _flatten(exc.messages, ()):
            code = "request.unknown_field" if message == "Unknown field." else "request.invalid"
            problems.append(Problem(pointer, code, message, "error", "envelope"))
    if problems:
        named = ", ".join(p.pointer.lstrip("/") or "(body)" for p in problems)
        raise EnvelopeInvalidError(problems, f"The request body is not valid: {named}.")
    return loaded
