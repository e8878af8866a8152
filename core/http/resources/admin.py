"""Admin: plugins on and off, tokens."""

from __future__ import annotations

import falcon

from scr_returns.core.envelopes import TokenCreateSchema
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.openapi_schemas import TOKEN_ID, TOKEN_ID_RE
from scr_returns.core.http.policy import ADMIN, policy
from scr_returns.core.http.resources.base import (
    PAGE,
    audit,
    body,
    limit,
    principal,
    send_json,
    send_page,
)
from scr_returns.core.service import Services
from scr_returns.core.service.pages import page

TOKEN_CREATE = TokenCreateSchema()


class PluginCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation(name="list_plugins",
               summary="Installed plugins: name, version, forms, enabled, any load error",
               responses={200: "PluginList"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, {"plugins": self.services.plugins.list()})


class PluginSwitch:
    """``/enable`` and ``/disable``: seen by every worker and host within a second."""

    def __init__(self, services: Services, enabled: bool) -> None:
        self.services = services
        self.enabled = enabled
        self.action = "enable" if enabled else "disable"  # its operationId's verb

    @policy(roles=ADMIN)
    @operation(name="{action}_plugin",
               summary="Enable or disable a plugin at run time (one that failed to load: 409)",
               responses={200: "Plugin", 404: "Error", 409: "Error"})
    def on_post(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        send_json(resp, self.services.plugins.set_enabled(principal(req), name, self.enabled,
                                                          audit=audit(req)))


class TokenCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation(name="create_token",
               summary="Issue a token; the secret is in this answer only", request="TokenCreate",
               responses={201: "TokenCreated", 400: "Error", 422: "Error"})
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = body(req, TOKEN_CREATE)
        secret, record = self.services.tokens.issue(
            **data, agencies=self.services.catalog.host.by_agency, audit=audit(req))
        resp.location = f"/v1/admin/tokens/{record['id']}"
        send_json(resp, {**record, "token": secret}, 201)

    @policy(roles=ADMIN)
    @operation(name="list_tokens",
               summary="Every token (never a secret), oldest first, a page at a time",
               responses={200: "TokenList", 404: "Error"},
               query={**PAGE, "cursor": (TOKEN_ID, "next_cursor of the previous page (also "
                                         "in the Link header, rel=next): a token id")})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        tokens, cursor = page(self.services.tokens.list(), lambda t: str(t["id"]),
                              cursor=req.get_param("cursor"), limit=limit(req),
                              shape=TOKEN_ID_RE, ordered_by_key=False)
        send_page(req, resp, {"tokens": tokens, "next_cursor": cursor})


class TokenItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation(name="revoke_token", summary="Revoke a token, effective on the next request",
               responses={200: "Token", 404: "Error"})
    def on_delete(self, req: falcon.Request, resp: falcon.Response, token_id: str) -> None:
        send_json(resp, self.services.tokens.revoke(token_id, audit=audit(req)))
