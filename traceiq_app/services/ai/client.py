"""A small client for OpenAI-compatible chat completions (`POST {base}/chat/completions`).

Timeouts, retries (timeouts, 429 with Retry-After up to MAX_RETRY_AFTER_S, 5xx) and one audit
log line per request and per response (logger `traceiq.ai`): the API key is only ever in the
Authorization header, and any secret value given to the client is masked in what is sent and
logged."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from traceiq_app.settings import get_settings

audit = logging.getLogger("traceiq.ai")
MAX_RETRY_AFTER_S = 30.0
LOG_CHARS = 4000


class LLMError(Exception):
    """The model could not answer; `kind`: not_configured, timeout, rate_limited, http, bad_response."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def configured() -> bool:
    return bool(get_settings().llm_base_url)


NOT_CONFIGURED = ("AI assistance is off: the server has no language model configured (set TRACEIQ_LLM_BASE_URL, "
                  "and TRACEIQ_LLM_MODEL / TRACEIQ_LLM_API_KEY as needed). Self-healing and locator advice work "
                  "without it.")


@dataclass
class LLMClient:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    retries: int = 2
    secrets: list[str] = field(default_factory=list)  # values never sent (masked as •••)

    @classmethod
    def from_settings(cls, secrets: list[str] | None = None) -> LLMClient:
        s = get_settings()
        if not s.llm_base_url:
            raise LLMError("not_configured", NOT_CONFIGURED)
        return cls(s.llm_base_url, s.llm_model, s.llm_api_key, s.llm_timeout_seconds, s.llm_retries,
                   list(secrets or []))

    def _mask(self, text: str) -> str:
        for value in sorted((v for v in self.secrets if v), key=len, reverse=True):
            text = text.replace(value, "•••")
        return text

    def chat(self, messages: list[dict[str, str]], *, json_mode: bool = True, temperature: float = 0.0) -> str:
        """The assistant's reply text. Raises LLMError with a readable message."""
        request_id = uuid.uuid4().hex[:12]
        body: dict[str, Any] = {
            "model": self.model, "temperature": temperature,
            "messages": [{"role": m["role"], "content": self._mask(m["content"])} for m in messages],
        }
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = self.base_url.rstrip("/") + "/chat/completions"
        audit.info("llm request %s model=%s messages=%s", request_id, self.model,
                   json.dumps(body["messages"], ensure_ascii=False)[:LOG_CHARS])
        last: LLMError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
            try:
                response = httpx.post(url, json=body, headers=headers, timeout=self.timeout_s)
            except httpx.TimeoutException:
                last = LLMError("timeout", f"the language model did not answer within {self.timeout_s:g} s")
                audit.warning("llm response %s timeout (attempt %d)", request_id, attempt + 1)
                continue
            except httpx.HTTPError as exc:
                last = LLMError("http", f"cannot reach the language model at {self.base_url}: {exc}")
                audit.warning("llm response %s unreachable (attempt %d): %s", request_id, attempt + 1, exc)
                continue
            if response.status_code == 429:
                wait = _retry_after(response)
                last = LLMError("rate_limited", "the language model's provider is rate limiting us (429); "
                                                "try again in a minute")
                audit.warning("llm response %s 429 (attempt %d, retry after %.1f s)", request_id, attempt + 1, wait)
                if attempt < self.retries:
                    time.sleep(wait)
                continue
            if response.status_code >= 500:
                last = LLMError("http", f"the language model answered HTTP {response.status_code}")
                audit.warning("llm response %s HTTP %d (attempt %d)", request_id, response.status_code, attempt + 1)
                continue
            if response.status_code >= 400:
                audit.warning("llm response %s HTTP %d: %s", request_id, response.status_code, response.text[:500])
                raise LLMError("http", f"the language model refused the request (HTTP {response.status_code}): "
                                       f"{response.text[:300]}")
            return self._content(request_id, response)
        assert last is not None
        raise last

    def _content(self, request_id: str, response: httpx.Response) -> str:
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            audit.warning("llm response %s not a chat completion: %s", request_id, response.text[:500])
            raise LLMError("bad_response", "the language model's answer is not a chat completion") from None
        text = str(content or "")
        audit.info("llm response %s %s", request_id, self._mask(text)[:LOG_CHARS])
        return text


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, min(float(response.headers.get("retry-after", "1")), MAX_RETRY_AFTER_S))
    except ValueError:
        return 1.0
