"""Gift-card providers behind one small interface, so redemptions can be fulfilled automatically.

A provider takes an order with *our* reference (the redemption's id) and must treat a second order
with the same reference as the same order: that is what lets ``rewards.redemption_fulfil_by_provider``
ask again after a crash without buying twice. The built-in :class:`HttpGiftCardProvider` speaks a
plain JSON protocol (documented in docs/recognition-admin.md); an installation registers it with
``INSIDEOUT_GIFTCARD_PROVIDER_URL`` (and ``…_TOKEN``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Literal, Protocol

from django.conf import settings

OrderStatus = Literal["issued", "failed", "pending"]


class ProviderUnavailable(Exception):
    """The provider could not be reached or did not answer sensibly; ask again later."""


@dataclass(frozen=True)
class ProviderOrder:
    status: OrderStatus
    code: str = ""  # the gift card's code or link once issued
    message: str = ""  # why it failed, in the provider's words


class GiftCardProvider(Protocol):
    name: str

    def order(
        self, *, reference: str, sku: str, quantity: int, value_cents: int, currency: str, recipient_email: str
    ) -> ProviderOrder: ...


class HttpGiftCardProvider:
    """``POST {url}/orders`` with a JSON order; the answer is ``{"status": …, "code": …, "message": …}``."""

    def __init__(self, *, name: str, url: str, token: str = "", timeout: float = 10.0) -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def order(
        self, *, reference: str, sku: str, quantity: int, value_cents: int, currency: str, recipient_email: str
    ) -> ProviderOrder:
        body = json.dumps(
            {
                "reference": reference,
                "sku": sku,
                "quantity": quantity,
                "value_cents": value_cents,
                "currency": currency,
                "recipient_email": recipient_email,
            }
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": reference}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(f"{self.url}/orders", data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500:
                return ProviderOrder(status="failed", message=f"the provider refused the order (HTTP {exc.code})")
            raise ProviderUnavailable(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise ProviderUnavailable(str(exc)) from exc
        status = answer.get("status")
        if status not in ("issued", "failed", "pending"):
            raise ProviderUnavailable(f"unexpected answer {answer!r}")
        return ProviderOrder(
            status=status, code=str(answer.get("code") or ""), message=str(answer.get("message") or "")
        )


def provider_names() -> list[str]:
    return sorted(settings.RECOGNITION_GIFTCARD_PROVIDERS)


def provider_for(name: str) -> GiftCardProvider | None:
    """The configured provider of this name (None when there is none: fulfilled by hand)."""
    config = settings.RECOGNITION_GIFTCARD_PROVIDERS.get(name)
    if not config:
        return None
    return HttpGiftCardProvider(name=name, url=config["url"], token=config.get("token", ""))
