"""Honest values for what a record does not say: "not known" and "no action".

A practitioner mapping a record onto a form must be able to say that the record
does not give a value, rather than invent one. Two conventions serve every agency:

- a coded field (an ``enum``) may offer ``not_known`` (or ``not-known`` in a
  vocabulary written with hyphens) and ``not_recorded``; a date that may be
  unknown takes ``"not_known"`` in place of the date
  (``defs.v1.json#/$defs/dateOrNotKnown``). A rule treats such a value as
  absent: it satisfies "this field must be given", and no rule fires as if a
  value were there (a referral whose date is not known is never "before the
  event");
- the common ``decision_or_action`` is required text: ``none`` says nothing was
  decided or done, ``not recorded`` that the record does not say
  (``defs.v1.json#/$defs/decisionOrAction``). A rule that expects an action
  (an injury seen) warns on these.
"""

from __future__ import annotations

NOT_KNOWN = frozenset({"not_known", "not-known", "not_recorded", "not-recorded"})
"""Coded values meaning "the record does not say", in either spelling of a vocabulary."""

NO_ACTION = frozenset({"none", "not recorded", "not-recorded", "not_recorded"})
"""Values of ``decision_or_action`` meaning nothing was done, or the record does not say."""


def is_not_known(value: object) -> bool:
    """True for a coded value that says the record does not give it (see :data:`NOT_KNOWN`)."""
    return isinstance(value, str) and value in NOT_KNOWN


def known(value: object) -> object:
    """``value``, or ``None`` when it is a "not known" value: read a field through this in a
    rule, so that a not-known value counts as absent."""
    return None if is_not_known(value) else value


def no_action(value: object) -> bool:
    """True when ``decision_or_action`` says nothing was done or the record does not say.

    Read without regard to case, surrounding blanks or a final full stop ("None.").
    """
    return isinstance(value, str) and value.strip().rstrip(".").strip().lower() in NO_ACTION
