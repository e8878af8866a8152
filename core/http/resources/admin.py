"""Admin: plugins on and off, tokens."""

from __future__ import annotations

import falcon

from scr_returns.core.envelopes import TokenCreateSchema
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.policy import ADMIN, policy
from scr_returns.core.http.resources.base import audit, body, principal, send_json
from scr_returns.core.service import Services

TOKEN_CREATE = TokenCreateSchema()


class PluginCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation("Installed plugins: name, version, forms, enabled, any load error",
               responses={200: "PluginList"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, {"plugins": self.services.plugins.list()})


class PluginSwitch:
    """``/enable`` and ``/disable``: seen by every worker and host within a second."""

    def __init__(self, services: Services, enabled: bool) -> None:
        self.services = services
        self.enabled = enabled

    @policy(roles=ADMIN)
    @operation("Enable or disable a plugin at run time (one that failed to load: 409)",
               responses={200: "Plugin", 404: "Error", 409: "Error"})
    def on_post(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        send_json(resp, self.services.plugins.set_enabled(principal(req), name, self.enabled,
                                                          audit=audit(req)))


class TokenCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation("Issue a token; the secret is in this answer only", request="TokenCreate",
               responses={201: "TokenCreated", 400: "Error", 422: "Error"})
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = body(req, TOKEN_CREATE)
        secret, record = self.services.tokens.create(**data, audit=audit(req))
        resp.location = f"/v1/admin/tokens/{record['id']}"
        send_json(resp, {**record, "token": secret}, 201)

    @policy(roles=ADMIN)
    @operation("Every token (never a secret)", responses={200: "TokenList"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, {"tokens": self.services.tokens.list()})


class TokenItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ADMIN)
    @operation("Revoke a token, effective on the next request",
               responses={200: "Token", 404: "Error"})
    def on_delete(self, req: falcon.Request, resp: falcon.Response, token_id: str) -> None:
        send_json(resp, self.services.tokens.revoke(token_id, audit=audit(req)))
