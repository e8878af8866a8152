"""The resource map of shared/api.md: every route, in one table."""

from __future__ import annotations

from typing import Any

from scr_returns.core.http.paths import RETURN
from scr_returns.core.http.resources import (
    admin,
    agencies,
    audit,
    meta,
    panel,
    problems,
    returns,
    reviews,
    schemas,
)
from scr_returns.core.http.resources.metrics import Metrics
from scr_returns.core.service import Services


def routes(services: Services, openapi: dict[str, Any]) -> list[tuple[str, object]]:
    s = services
    return [
        ("/v1/health", meta.Health()),
        ("/v1/ready", meta.Ready(s)),
        ("/v1/openapi.json", meta.OpenAPI(openapi)),
        ("/metrics", Metrics(s)),
        ("/v1/problems", problems.ProblemTypeCollection()),
        ("/v1/problems/{slug}", problems.ProblemTypeItem()),
        ("/v1/schemas", schemas.SchemaCollection(s)),
        ("/v1/schemas/{group}/{file}", schemas.SchemaItem(s)),
        ("/v1/agencies", agencies.AgencyCollection(s)),
        ("/v1/agencies/{agency}/forms/{form}", agencies.FormItem(s)),
        ("/v1/agencies/{agency}/forms/{form}/validate", agencies.FormValidate(s)),
        ("/v1/reviews", reviews.ReviewCollection(s)),
        ("/v1/reviews/{ref}", reviews.ReviewItem(s)),
        ("/v1/reviews/{ref}/returns", returns.ReturnCollection(s)),
        (RETURN, returns.ReturnItem(s)),
        (RETURN + "/revisions", returns.RevisionCollection(s)),
        (RETURN + "/revisions/{number:int(min=1, max=2147483647)}", returns.RevisionItem(s)),
        (RETURN + "/state", panel.ReturnState(s)),
        (RETURN + "/diff", panel.ReturnDiff(s)),
        ("/v1/reviews/{ref}/chronology", panel.Chronology(s)),
        ("/v1/reviews/{ref}/tracker", panel.Tracker(s)),
        ("/v1/admin/plugins", admin.PluginCollection(s)),
        ("/v1/admin/plugins/{name}/enable", admin.PluginSwitch(s, enabled=True)),
        ("/v1/admin/plugins/{name}/disable", admin.PluginSwitch(s, enabled=False)),
        ("/v1/admin/tokens", admin.TokenCollection(s)),
        ("/v1/admin/tokens/{token_id}", admin.TokenItem(s)),
        ("/v1/admin/audit", audit.AuditLog(s)),
    ]
