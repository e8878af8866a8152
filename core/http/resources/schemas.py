"""The schemas a form's ``$ref`` names, served so that a client can resolve every one.

A schema's ``$id`` is ``https://scr-returns.invalid/schemas/<group>/<name>``: an
identifier (``.invalid`` never resolves), which a client maps to this route,
``/v1/schemas/<group>/<name>``. Offered: the shared schemas (group ``common``) and
every enabled agency's. A client that wants no mapping asks a form for
``?bundle=1`` instead (docs/api.md, "Form schemas").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import falcon

from scr_returns.core.errors import NotFoundError
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.policy import ANY, policy
from scr_returns.core.http.resources.base import send_json
from scr_returns.core.schemas import ID_PREFIX
from scr_returns.core.service import Services


def offered(services: Services) -> dict[str, Mapping[str, Any]]:
    """``$id`` -> schema, for the shared schemas and the enabled agencies'."""
    host = services.catalog.host
    enabled = {p.agency.name for p in services.catalog.enabled()}
    found = {}
    for sid in host.library.ids():
        group = sid.removeprefix(ID_PREFIX).split("/", 1)[0]
        if sid.startswith(ID_PREFIX) and (group == "common" or group in enabled):
            schema = host.library.get(sid)
            assert schema is not None
            found[sid] = schema
    return found


class SchemaCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY)
    @operation(name="list_schemas", summary="Every schema a form may refer to: its $id and "
               "where it is served", responses={200: "SchemaList"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, {"id_prefix": ID_PREFIX, "served_at": "/v1/schemas/", "schemas": [
            {"$id": sid, "href": "/v1/schemas/" + sid.removeprefix(ID_PREFIX)}
            for sid in sorted(offered(self.services))]})


class SchemaItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY)
    @operation(name="get_schema", summary="One schema, by the part of its $id after "
               "https://scr-returns.invalid/schemas/", responses={200: "JsonSchema",
                                                                 404: "Error"},
               content_types=("application/schema+json",))
    def on_get(self, req: falcon.Request, resp: falcon.Response, group: str,
               file: str) -> None:
        schema = offered(self.services).get(f"{ID_PREFIX}{group}/{file}")
        if schema is None:
            raise NotFoundError()
        send_json(resp, schema)
        resp.content_type = "application/schema+json"
