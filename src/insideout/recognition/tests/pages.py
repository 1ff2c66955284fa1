"""What the recognition page tests share: a catalog built through people-ops' own services, points
for a person, the messages a page shows, and a snapshot of everything a page could change."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from insideout.core.models import Event
from insideout.recognition import catalog
from insideout.recognition.models import (
    Award,
    Boost,
    Entry,
    PointRule,
    Recognition,
    RecognitionRecipient,
    Redemption,
    Reward,
    Value,
)

VALUES = [
    ("Honour commitments", "Do what you promised, when you promised it."),
    ("Be helpful", "Go the extra step."),
    ("Step out of your silo", ""),
]


def values_made(org: dict[str, Any]) -> list[Value]:
    """The organisation's values, added by Pat (people-ops) as the admin page does."""
    return [
        catalog.value_create(actor=org["admin"].user, name=name, description=description)
        for name, description in VALUES
    ]


def reward_made(org: dict[str, Any], name: str = "Mug", points_cost: int = 50, **fields: Any) -> Reward:
    return catalog.reward_create(
        actor=org["admin"].user, data=catalog.RewardInput(name=name, points_cost=points_cost, **fields)
    )


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def snapshot() -> dict[str, list[Any]]:
    """Every row of recognition a page could change, and the events."""
    models = (Recognition, RecognitionRecipient, Boost, Entry, Redemption, Award, Value, Reward, PointRule)
    rows: dict[str, list[Any]] = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["events"] = list(Event.objects.order_by("pk").values_list("type", flat=True))
    return rows


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real PNG picture, made here so the tests need no file."""
    raw = b"".join(b"\x00" + b"\x40\x80\xff" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
