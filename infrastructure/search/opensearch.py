"""A minimal OpenSearch/Elasticsearch REST client: JSON in, JSON out, a timeout on every call.

Only what the catalogue's adapter uses: ``_search`` (queries and suggesters), ``_bulk``
(index and delete), index creation and deletion, and the alias that names the live index.
Credentials, when the cluster needs them, go in the URL (its user-info part).
"""

import json
import threading
from typing import Any
from urllib.parse import quote

import requests

MAX_ERROR_TEXT = 300
JSON = dict[str, Any]


class SearchEngineError(Exception):
    """The engine did not answer, answered an error status, or refused bulk actions."""


class OpenSearchClient:
    def __init__(self, *, url: str, timeout: float):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()  # one keep-alive session per thread

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: JSON | None = None,
        ndjson: str | None = None,
        missing_ok: bool = False,
    ) -> JSON:
        headers = {"Accept": "application/json"}
        data = None
        if ndjson is not None:
            data, headers["Content-Type"] = ndjson.encode(), "application/x-ndjson"
        elif body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        try:
            response = self._session().request(
                method, f"{self.url}{path}", data=data, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise SearchEngineError(f"The search engine did not answer {method} {path}: {exc}") from exc
        if response.status_code == 404 and missing_ok:
            return {}
        if response.status_code >= 300:
            raise SearchEngineError(
                f"The search engine answered {method} {path} with HTTP {response.status_code}: "
                f"{response.text[:MAX_ERROR_TEXT]}"
            )
        try:
            answer: JSON = response.json()
        except ValueError as exc:
            raise SearchEngineError(f"The search engine's answer to {method} {path} is not JSON.") from exc
        return answer

    def search(self, index: str, body: JSON) -> JSON:
        return self._call("POST", f"/{quote(index)}/_search", body=body)

    def bulk(self, actions: list[JSON]) -> JSON:
        """``actions``: the lines of a ``_bulk`` request (action, then source for an index)."""
        ndjson = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in actions)
        answer = self._call("POST", "/_bulk", ndjson=ndjson)
        failed = [
            result
            for item in answer.get("items", ())
            for result in item.values()
            if result.get("error") is not None
        ]
        if failed:
            raise SearchEngineError(f"{len(failed)} bulk actions failed, the first: {failed[0]['error']}")
        return answer

    def index_create(self, index: str, body: JSON) -> JSON:
        return self._call("PUT", f"/{quote(index)}", body=body)

    def index_delete(self, index: str) -> JSON:
        return self._call("DELETE", f"/{quote(index)}", missing_ok=True)

    def alias_indices(self, alias: str) -> list[str]:
        """The indices behind ``alias`` (none when it does not exist yet)."""
        return sorted(str(index) for index in self._call("GET", f"/_alias/{quote(alias)}", missing_ok=True))

    def aliases_update(self, actions: list[JSON]) -> JSON:
        """Apply alias ``actions`` (``add``/``remove``) atomically."""
        return self._call("POST", "/_aliases", body={"actions": actions})
