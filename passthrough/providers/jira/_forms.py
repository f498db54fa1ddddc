"""Jira forms (ProForma) REST calls.

Cloud: the forms API lives on Atlassian's API gateway, not on the site:
`{ATLASSIAN_API_URL}/jira/forms/cloud/{cloudId}/issue/{issueIdOrKey}/form[/{formId}]`; it takes the same
credential as the site (Basic email:token, or an OAuth access token). The cloud id is the request's
(X-Atlassian-Cloud-Id), the operator's (ATLASSIAN_OAUTH_CLOUD_ID), or else the site's own public answer at
`/_edge/tenant_info`, asked with no credential and kept for a while per site. Only the gateway the operator
configured ever gets the credential; an answer's content never picks where a call goes.

Server/Data Center: ProForma keeps the forms of an issue in its `proforma.forms` issue property.
"""

from __future__ import annotations

from typing import Any

from passthrough.errors import ToolError, UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import Upstream, segment
from passthrough.settings import valid_cloud_id

FORMS = "/jira/forms/cloud"
TENANT_INFO = "/_edge/tenant_info"
INDEX_PROPERTY = "proforma.forms"


class FormsCalls(ProviderClient):
    """Mixed into JiraClient; `self.cloud` is the deployment."""

    async def forms_cloud_id(self) -> str:
        """The Cloud id the forms API is addressed by; a ToolError naming what to send when none is known."""
        if self._cred.cloud_id:
            return self._cred.cloud_id
        return str(await self._up.shared("cloud-id", self._tenant_cloud_id))

    async def _tenant_cloud_id(self) -> str:
        missing = (
            "Jira Cloud's forms API is addressed by the site's cloud id, and none is known for this request: "
            "send the X-Atlassian-Cloud-Id header (or the operator sets ATLASSIAN_OAUTH_CLOUD_ID)"
        )
        try:
            answer = await self._up.call("GET", TENANT_INFO, credential=self._cred, anonymous=True)
            data = answer.json()
        except UpstreamError as exc:
            why = exc.message.rstrip(".")
            raise ToolError(f"{missing}; {self.base_url}{TENANT_INFO} did not tell it ({why}).") from None
        cloud_id = data.get("cloudId") if isinstance(data, dict) else None
        if not isinstance(cloud_id, str) or not valid_cloud_id(cloud_id):
            raise ToolError(f"{missing}; {self.base_url}{TENANT_INFO} answered without one.")
        return cloud_id

    def _gateway(self) -> Upstream:
        return self._up.site(self._up.config.gateway, "cloud")

    async def _forms_call(self, method: str, path: str, body: Any = None) -> Any:
        cloud_id = await self.forms_cloud_id()
        full = f"{FORMS}/{segment(cloud_id)}{path}"
        answer = await self._gateway().call(method, full, credential=self._cred, body=body)
        return answer.json()

    async def issue_forms(self, key: str) -> list[dict[str, Any]]:
        """Cloud: the forms on an issue (id, name, submitted, lock, internal, formTemplate, updated)."""
        path = f"/issue/{segment(key)}/form"
        value = await self._forms_call("GET", path)
        if not isinstance(value, list):
            raise self._unexpected("GET", FORMS + path, "a list")
        return [item for item in value if isinstance(item, dict)]

    async def issue_form(self, key: str, form_id: str) -> dict[str, Any]:
        """Cloud: one form on an issue, whole: its design (questions, layout, settings) and state (answers)."""
        path = f"/issue/{segment(key)}/form/{segment(form_id)}"
        value = await self._forms_call("GET", path)
        if not isinstance(value, dict):
            raise self._unexpected("GET", FORMS + path, "an object")
        return value

    async def save_form_answers(self, key: str, form_id: str, answers: dict[str, Any]) -> dict[str, Any]:
        """Cloud: save answers on an open form (those named; the others stay as they are); the form comes back."""
        path = f"/issue/{segment(key)}/form/{segment(form_id)}"
        value = await self._forms_call("PUT", path, {"answers": answers})
        return value if isinstance(value, dict) else {}

    async def proforma_index(self, key: str) -> list[dict[str, Any]]:
        """Server/Data Center: the forms ProForma lists on an issue (its `proforma.forms` property); none when
        the issue has no such property (the issue's own 404 when the issue is not there)."""
        try:
            data = await self._get(f"/issue/{segment(key)}/properties/{INDEX_PROPERTY}")
        except UpstreamError as exc:
            if exc.status != 404:
                raise
            await self._get(f"/issue/{segment(key)}", {"fields": "summary"})
            return []
        value = data.get("value")
        forms = value.get("forms") if isinstance(value, dict) else None
        return [f for f in forms if isinstance(f, dict)] if isinstance(forms, list) else []
