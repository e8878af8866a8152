"""The service layer: plain Python over the store and the catalog, no HTTP.

Every operation takes the caller's :class:`~scr_returns.core.auth.Principal` and answers
as the API does: what the caller may not see raises ``NotFoundError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scr_returns.core.catalog import Catalog
from scr_returns.core.service.audit import AuditService
from scr_returns.core.service.chronology import ChronologyService
from scr_returns.core.service.history import HistoryService
from scr_returns.core.service.plugins import PluginService
from scr_returns.core.service.returns import ReturnService
from scr_returns.core.service.reviews import ReviewService
from scr_returns.core.service.states import StateService
from scr_returns.core.service.tokens import TokenService
from scr_returns.core.service.tracker import TrackerService
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """Every service of one deployment, sharing a store, a catalog and a clock."""

    settings: Settings
    store: Store
    catalog: Catalog
    clock: Clock = utcnow
    reviews: ReviewService = field(init=False)
    returns: ReturnService = field(init=False)
    tokens: TokenService = field(init=False)
    plugins: PluginService = field(init=False)
    audit: AuditService = field(init=False)
    states: StateService = field(init=False)
    history: HistoryService = field(init=False)
    chronology: ChronologyService = field(init=False)
    tracker: TrackerService = field(init=False)

    def __post_init__(self) -> None:
        self.reviews = ReviewService(self.store, self.catalog, self.clock)
        self.returns = ReturnService(self.settings, self.store, self.catalog, self.clock)
        self.tokens = TokenService(self.settings, self.store, self.clock)
        self.plugins = PluginService(self.store, self.catalog, self.clock)
        self.audit = AuditService(self.store)
        self.states = StateService(self.store, self.clock)
        self.history = HistoryService(self.store, self.catalog)
        self.chronology = ChronologyService(self.store, self.clock)
        self.tracker = TrackerService(self.store, self.returns, self.clock)


__all__ = ["Clock", "Services", "utcnow"]
