"""The badges of the catalog every organisation starts with, and their rules (docs/recognition.md).

*Layer by layer* counts learning's completions, which nothing publishes yet: its rule is off until
the learning context exists. Changing these rows later is people-ops' business; removing the
migration removes only the badges nobody has been awarded.
"""

from django.db import migrations

BADGES = [
    {
        "name": "Promise keeper",
        "icon": "🤝",
        "description": "Kept 20 commitments in a row.",
        "rules": [
            {
                "event_type": "servicedesk.commitment_kept",
                "counted_for": "owner",
                "threshold": 20,
                "window": "streak",
                "breaks_on": "servicedesk.commitment_broken",
            }
        ],
    },
    {
        "name": "First responder",
        "icon": "⚡",
        "description": "Answered 50 requests within the first-response standard in one month.",
        "rules": [
            {
                "event_type": "servicedesk.request_first_response",
                "counted_for": "actor",
                "condition": {"first_response_in_time": True},
                "threshold": 50,
                "window": "month",
            }
        ],
    },
    {
        "name": "Thanked",
        "icon": "💐",
        "description": "Received 10 thank-yous and recognitions.",
        "rules": [
            {
                "event_type": "servicedesk.thanks_sent",
                "also_counts": ["recognition.given"],
                "counted_for": "recipients",
                "threshold": 10,
                "window": "ever",
            }
        ],
    },
    {
        "name": "Layer by layer",
        "icon": "📚",
        "description": "Completed 5 learning modules within 14 days.",
        "rules": [
            {
                "event_type": "learning.module_completed",
                "counted_for": "learner",
                "threshold": 5,
                "window": "days",
                "window_days": 14,
                "is_active": False,
            }
        ],
    },
    {
        "name": "Silo breaker",
        "icon": "🌉",
        "description": "Helped people of 5 different units: thanked or recognised by each.",
        "rules": [
            {
                "event_type": "servicedesk.thanks_sent",
                "also_counts": ["recognition.given"],
                "counted_for": "recipients",
                "distinct_on": "giver_other_unit",
                "threshold": 5,
                "window": "ever",
            }
        ],
    },
    {
        "name": "Above and beyond",
        "icon": "🌟",
        "description": "Granted by a manager for work well beyond the role.",
        "kind": "manual",
        "rules": [],
    },
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Badge = apps.get_model("recognition", "Badge")
    BadgeRule = apps.get_model("recognition", "BadgeRule")
    for position, spec in enumerate(BADGES, start=1):
        badge, created = Badge.objects.get_or_create(
            name=spec["name"],
            defaults={
                "icon": spec["icon"],
                "description": spec["description"],
                "kind": spec.get("kind", "auto"),
                "position": position,
            },
        )
        if not created:
            continue
        for rule in spec["rules"]:
            BadgeRule.objects.create(badge=badge, **rule)


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Badge = apps.get_model("recognition", "Badge")
    BadgeAward = apps.get_model("recognition", "BadgeAward")
    awarded = BadgeAward.objects.values("badge_id")
    Badge.objects.filter(name__in=[spec["name"] for spec in BADGES]).exclude(pk__in=awarded).delete()


class Migration(migrations.Migration):
    dependencies = [("recognition", "0005_badges")]

    operations = [migrations.RunPython(seed, unseed)]
