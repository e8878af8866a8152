"""Enabled agencies, their form definitions, and the dry run."""

from __future__ import annotations

import falcon

from scr_returns.core.envelopes import ValidateSchema
from scr_returns.core.errors import NotFoundError
from scr_returns.core.http.openapi_doc import operation
from scr_returns.core.http.policy import ANY, policy
from scr_returns.core.http.resources.base import body, principal, send_json
from scr_returns.core.schemas import bundle
from scr_returns.core.service import Services

VALIDATE = ValidateSchema()


class AgencyCollection:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY)
    @operation(name="list_agencies",
               summary="Enabled agencies with their forms and schema versions",
               responses={200: "AgencyList"})
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        items = []
        for plugin in self.services.catalog.enabled():
            spec = plugin.agency
            items.append({
                "name": spec.name, "title": spec.title, "description": spec.description,
                "plugin": plugin.name, "plugin_version": plugin.version,
                "forms": [{"name": f.spec.name, "title": f.spec.title,
                           "versions": [v.version for v in f.spec.offered],
                           "newest": f.spec.newest.version if f.spec.newest else None,
                           "href": f"/v1/agencies/{spec.name}/forms/{f.spec.name}"}
                          for f in plugin.forms.values()],
            })
        send_json(resp, {"agencies": items})


class FormItem:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY)
    @operation(name="get_form",
               summary="A form: its JSON Schema (newest version, or ?version=N), title, "
               "description, example", responses={200: "Form", 404: "Error"},
               query={"version": ({"type": "integer", "minimum": 1},
                                  "an older version still offered"),
                      "bundle": ("boolean", "true: the schema with every schema it refers to "
                                 "embedded, so that any 2020-12 validator can use it alone")})
    def on_get(self, req: falcon.Request, resp: falcon.Response, agency: str,
               form: str) -> None:
        loaded = self.services.catalog.form(agency, form)
        if loaded is None:
            raise NotFoundError()
        spec = loaded.spec
        requested = req.get_param_as_int("version")
        chosen = spec.newest if requested is None else spec.version(requested)
        if chosen is None or chosen.retired:
            raise NotFoundError(f"Version {requested} of this form is not offered.")
        schema = chosen.schema
        if req.get_param_as_bool("bundle"):
            schema = bundle(schema, self.services.catalog.host.library)
        send_json(resp, {
            "agency": agency, "form": spec.name, "title": spec.title,
            "description": spec.description, "version": chosen.version,
            "versions": [v.version for v in spec.offered],
            "schema": schema, "example": spec.example,
            "chronology": spec.chronology is not None,
        })


class FormValidate:
    def __init__(self, services: Services) -> None:
        self.services = services

    @policy(roles=ANY, binding="review")
    @operation(name="validate_document",
               summary="Dry run of the whole validation; nothing is stored", request="Validate",
               responses={200: "ValidationResult", 404: "Error", 422: "Error"},
               query={"review": ("string", "also run the rules that need this review")})
    def on_post(self, req: falcon.Request, resp: falcon.Response, agency: str,
                form: str) -> None:
        data = body(req, VALIDATE)
        report = self.services.returns.dry_run(
            principal(req), agency, form, data["document"], data["schema_version"],
            req.get_param("review"))
        send_json(resp, report.as_dict())
