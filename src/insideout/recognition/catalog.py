"""People-ops' edits of what recognition offers: the organisation's values, the points rules and
the rewards catalog. Each is atomic, for people-ops only, validated by the model's own checks
(``full_clean``) and recorded as an event, so the history says who changed the catalog and when.

A value or a reward is never deleted: recognitions and redemptions name them. Taking one out of
use (``is_active``) hides it from the forms and the catalog and keeps the history readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from insideout.core.errors import Forbidden
from insideout.core.events import event_record
from insideout.people.models import User
from insideout.recognition import providers, rules, selectors
from insideout.recognition.models import PointRule, Reward, RewardKind, Value

VALUE_CHANGED = "recognition.value_changed"
RULE_CHANGED = "recognition.rule_changed"
REWARD_CHANGED = "recognition.reward_changed"

# Pictures are shown in the catalog as they are: raster images only (an SVG can carry a script).
PICTURE_TYPES = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".gif": b"GIF8",
    ".webp": b"RIFF",
}
PICTURE_MAX_BYTES = 2_000_000
MAX_COUNTRIES = 250


def _people_ops(actor: User | None) -> None:
    if not selectors.is_people_ops(actor):
        raise Forbidden(_("Only people-ops change the values, the points rules and the rewards."))


def _saved(instance: Any) -> None:
    """``full_clean`` then ``save``; the model's messages keep their fields' names."""
    instance.full_clean()
    instance.save()


# --- values ------------------------------------------------------------------------------------------


def _changed(kind: str, subject: Value | Reward | PointRule, actor: User | None, **payload: object) -> None:
    """Record who changed which part of the catalog, and how."""
    event_record(type=kind, subject=subject, actor=actor, payload={"id": subject.pk, **payload})


def _value_event(value: Value, actor: User | None, change: str) -> None:
    _changed(VALUE_CHANGED, value, actor, change=change, name=value.name, is_active=value.is_active)


def _name_free(name: str, *, but: int | None) -> None:
    taken = Value.objects.filter(name__iexact=(name or "").strip())
    if (taken.exclude(pk=but) if but is not None else taken).exists():
        raise ValidationError({"name": [_("There is a value of this name already.")]})


@transaction.atomic
def value_create(*, actor: User | None, name: str, description: str = "") -> Value:
    """A new value, last in the order."""
    _people_ops(actor)
    _name_free(name, but=None)
    last = Value.objects.aggregate(last=Max("position"))["last"] or 0
    value = Value(name=(name or "").strip(), description=(description or "").strip(), position=last + 1)
    _saved(value)
    _value_event(value, actor, "created")
    return value


@transaction.atomic
def value_update(*, actor: User | None, value: Value, name: str, description: str, is_active: bool) -> Value:
    """Rename a value, describe it, or take it out of use (recognitions that name it keep it)."""
    _people_ops(actor)
    _name_free(name, but=value.pk)
    value.name, value.description, value.is_active = (name or "").strip(), (description or "").strip(), is_active
    _saved(value)
    _value_event(value, actor, "updated")
    return value


@transaction.atomic
def value_move(*, actor: User | None, value: Value, up: bool) -> Value:
    """Move a value one place up or down; the positions are numbered anew from 1."""
    _people_ops(actor)
    order = list(Value.objects.select_for_update().order_by("position", "name", "pk"))
    index = next(n for n, item in enumerate(order) if item.pk == value.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    for position, item in enumerate(order, start=1):
        if item.position != position:
            Value.objects.filter(pk=item.pk).update(position=position)
    value.refresh_from_db()
    _value_event(value, actor, "moved")
    return value


# --- points rules ----------------------------------------------------------------------------------


@transaction.atomic
def point_rule_set(*, actor: User | None, event_type: str, points: object, is_active: bool) -> PointRule:
    """How many points each person an event names gets, and whether the rule is on."""
    _people_ops(actor)
    if event_type not in rules.RULE_EVENTS:
        raise ValidationError({"event_type": [_("Points can be granted only for the events listed.")]})
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise ValidationError({"points": [_("Give points as a whole number, 0 or more.")]})
    if is_active and points == 0:
        raise ValidationError({"points": [_("A rule that is on grants at least 1 point.")]})
    rule = PointRule.objects.filter(event_type=event_type).first() or PointRule(event_type=event_type)
    rule.points, rule.is_active = points, is_active
    _saved(rule)
    _changed(RULE_CHANGED, rule, actor, event_type=event_type, points=points, is_active=is_active)
    return rule


# --- rewards -----------------------------------------------------------------------------------------


@dataclass
class RewardInput:
    """A reward's fields as people-ops give them; ``picture`` replaces the picture when given,
    ``remove_picture`` takes it away."""

    name: str
    points_cost: int
    description: str = ""
    kind: str = RewardKind.MERCHANDISE
    stock: int | None = None
    per_person_limit: int | None = None
    countries: list[str] = field(default_factory=list)
    provider: str = ""
    provider_sku: str = ""
    is_active: bool = True
    position: int = 0
    picture: UploadedFile[Any] | None = None
    remove_picture: bool = False


def picture_check(upload: UploadedFile[Any], *, field: str = "picture") -> None:
    """A picture is a PNG, JPEG, GIF or WebP file of at most 2 MB whose first bytes say so."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    signature = PICTURE_TYPES.get(extension)
    if signature is None:
        raise ValidationError({field: [_("“%(name)s”: choose a PNG, JPEG, GIF or WebP picture.") % {"name": name}]})
    if upload.size is None or upload.size > PICTURE_MAX_BYTES:
        raise ValidationError(
            {field: [_("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": PICTURE_MAX_BYTES // 1_000_000}]}
        )
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    if not head.startswith(signature) or (extension == ".webp" and head[8:12] != b"WEBP"):
        raise ValidationError({field: [_("“%(name)s” is not the picture its name says.") % {"name": name}]})


def _countries(codes: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    wrong = [code for code in cleaned if not (len(code) == 2 and code.isascii() and code.isalpha())]
    if wrong:
        raise ValidationError(
            {
                "countries": [
                    _("Give countries as two-letter codes, e.g. DE, AT; not %(codes)s.") % {"codes": ", ".join(wrong)}
                ]
            }
        )
    if len(cleaned) > MAX_COUNTRIES:
        raise ValidationError({"countries": [_("Name at most %(n)d countries.") % {"n": MAX_COUNTRIES}]})
    return cleaned


def _reward_apply(reward: Reward, data: RewardInput) -> None:
    errors: dict[str, list[str]] = {}
    if data.provider and data.provider not in providers.provider_names():
        errors["provider"] = [_("No gift-card provider of this name is configured.")]
    if data.provider and not data.provider_sku.strip():
        errors["provider_sku"] = [_("Give the provider's product code.")]
    try:
        countries = _countries(data.countries)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        countries = []
    if data.picture is not None:
        try:
            picture_check(data.picture)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    reward.name = data.name.strip()
    reward.description = data.description.strip()
    reward.kind = data.kind
    reward.points_cost = data.points_cost
    reward.stock = data.stock
    reward.per_person_limit = data.per_person_limit
    reward.countries = countries
    reward.provider = data.provider
    reward.provider_sku = data.provider_sku.strip() if data.provider else ""
    reward.is_active = data.is_active
    reward.position = data.position
    if data.picture is not None:
        data.picture.name = get_valid_filename(PurePath(data.picture.name or "picture").name)[:100] or "picture"
        reward.picture = data.picture  # type: ignore[assignment]
    elif data.remove_picture:
        reward.picture = ""  # type: ignore[assignment]


def _reward_event(reward: Reward, actor: User | None, change: str) -> None:
    _changed(
        REWARD_CHANGED,
        reward,
        actor,
        change=change,
        name=reward.name,
        points=reward.points_cost,
        stock=reward.stock,
        is_active=reward.is_active,
    )


@transaction.atomic
def reward_create(*, actor: User | None, data: RewardInput) -> Reward:
    """A new item of the catalog."""
    _people_ops(actor)
    reward = Reward()
    _reward_apply(reward, data)
    _saved(reward)
    _reward_event(reward, actor, "created")
    return reward


@transaction.atomic
def reward_update(*, actor: User | None, reward: Reward, data: RewardInput) -> Reward:
    """Change an item of the catalog: its price applies to redemptions from now on; held ones keep theirs."""
    _people_ops(actor)
    # Locked: a redemption takes stock with a guarded update, which waits for this edit to finish.
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    old_picture = reward.picture.name if reward.picture else ""
    _reward_apply(reward, data)
    _saved(reward)
    if old_picture and old_picture != (reward.picture.name if reward.picture else ""):
        storage, name = reward.picture.storage, old_picture
        transaction.on_commit(lambda: storage.delete(name))
    _reward_event(reward, actor, "updated")
    return reward
