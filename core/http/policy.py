"""Who may call a responder: every responder declares it, or the app refuses to start.

``roles`` are the roles that may ever use the route (others: 403); ``binding``
says what else the service layer checks, answering 404 when it fails:
``"review"`` (the token must be bound to the review), ``"review+agency"``
(and to the agency, for agency tokens), or ``"none"``. ``purpose`` marks a
read of return content: the caller must say why in ``X-Purpose`` (it goes
into the audit record). ``shares_reads`` marks a responder that continues the
read transaction its caller was authenticated in (``req.context.reads``), so
that a submission's first reads and the token check are one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from scr_returns.core.auth import ROLES, Role

Binding = Literal["none", "review", "review+agency"]
F = TypeVar("F", bound=Callable[..., Any])

ANY: tuple[Role, ...] = ROLES
ADMIN: tuple[Role, ...] = ("admin",)
AGENCY: tuple[Role, ...] = ("agency",)


@dataclass(frozen=True)
class Policy:
    public: bool = False
    roles: tuple[Role, ...] = ()
    binding: Binding = "none"
    purpose: bool = False
    shares_reads: bool = False


def policy(*, roles: tuple[Role, ...] = (), binding: Binding = "none",
           public: bool = False, purpose: bool = False,
           shares_reads: bool = False) -> Callable[[F], F]:
    """Declare the access policy of one responder (``on_get``, ``on_put``, ...)."""
    if public == bool(roles):
        raise ValueError("a policy is either public or names the roles it admits")

    def mark(responder: F) -> F:
        responder.__dict__["policy"] = Policy(public, roles, binding, purpose, shares_reads)
        return responder

    return mark


def policy_of(responder: Any) -> Policy | None:
    found = getattr(responder, "policy", None)
    return found if isinstance(found, Policy) else None
