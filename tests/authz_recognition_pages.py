"""Authorization rows of the recognition pages (world: see test_authorization_matrix).

``world_extend`` adds two values (Pat, people-ops, adds them), Eve's public recognition of Sam
with 20 points, Lena's of Eve with 40, a mug of 20 points that Eve has redeemed once (held), and
Mo's spot award of 300 points to Eve, which waits for approval: Mo has no manager, so people-ops
decide (Pat and the superuser).

Every page needs a sign-in. The wall and the approvals inbox answer everyone signed in; giving,
my points and the rewards need a person of the organisation (the account without one and the
superuser, who is nobody in the organisation, get a page that says so: 403). A spot award is for
managers and leads (Mo, Lena). Only the person who redeemed it cancels a redemption here; a
recognition one may not see, a redemption or an award that is not one's own is 404. The admin
pages are people-ops' (Pat and the superuser): 403 for everyone else.
"""

from __future__ import annotations

from typing import Any

from authz import Row, World, roles

from insideout.recognition import awards, catalog, rewards, services

NOBODY = "403 unchanged"  # no person of the organisation: nothing to give or redeem from
DENIED = "403 unchanged"
NOT_SEEN = "404 unchanged"
MANAGE = "recognition/manage/"
BACK_TO_WALL = "302 /recognition/"
BACK_TO_REWARDS = "302 /recognition/rewards/#my-redemptions"
BACK_TO_APPROVALS = "302 /recognition/approvals/ changed"


def world_extend(org: dict[str, Any]) -> None:
    pat, eve, sam = org["admin"].user, org["employee"], org["agent"]
    org["rec_values"] = [
        catalog.value_create(actor=pat, name=name) for name in ("Be helpful to colleagues", "Stay positive, always")
    ]
    helpful = org["rec_values"][0].pk
    org["recognition"] = services.recognition_give(
        actor=eve.user, to=[sam.pk], message="Thanks for the laptop", values=[helpful], points=20
    )
    services.recognition_give(actor=org["lead"].user, to=[eve.pk], message="Great work", values=[helpful], points=40)
    org["reward"] = catalog.reward_create(actor=pat, data=catalog.RewardInput(name="Mug", points_cost=20, stock=5))
    org["redemption"] = rewards.redemption_create(actor=eve.user, reward_id=org["reward"].pk)
    org["award"] = awards.award_create(actor=org["manager"].user, to=eve.pk, points=300, reason="The launch")


def _page(route: str, url: Any, **outcomes: str) -> Row:
    return Row(route, "GET", url, roles(anonymous="login", **outcomes))


def _member_page(route: str, url: Any) -> Row:
    return _page(route, url, outsider="403", superuser="403", others="200")


def _admin_page(route: str, url: Any) -> Row:
    return _page(route, url, admin="200", superuser="200", others="403")


def _admin_write(route: str, url: Any, done: str, data: Any, label: str = "") -> Row:
    return Row(
        route,
        "POST",
        url,
        roles(anonymous="login unchanged", admin=done, superuser=done, others=DENIED),
        data=data,
        label=label,
    )


def _give(w: World) -> dict[str, Any]:
    return {
        "to": [w.org["agent"].pk],
        "values": [w.org["rec_values"][0].pk],
        "message": "From the matrix",
        "points": "0",
    }


def _reward_form(w: World) -> dict[str, Any]:
    return {"name": "Matrix mug", "kind": "merchandise", "points_cost": "40", "position": "0", "is_active": "on"}


def _recognition(suffix: str = "") -> Any:
    return lambda w: f"/recognition/{w.org['recognition'].pk}/{suffix}"


def _reward(suffix: str) -> Any:
    return lambda w: f"/recognition/rewards/{w.org['reward'].pk}/{suffix}"


def _award(action: str) -> Any:
    return lambda w: f"/recognition/awards/{w.org['award'].pk}/{action}/"


def _value(suffix: str = "") -> Any:
    return lambda w: f"/{MANAGE}values/{w.org['rec_values'][0].pk}/{suffix}"


def _managed(suffix: str) -> Any:
    return lambda w: f"/{MANAGE}redemptions/{w.org['redemption'].pk}/{suffix}/"


PAGE_ROWS: list[Row] = [
    _page("recognition/", lambda w: "/recognition/?scope=mine", others="200"),
    _member_page("recognition/give/", lambda w: f"/recognition/give/?to={w.org['agent'].pk}&for=request:1&label=IT-1"),
    Row(
        "recognition/give/",
        "POST",
        lambda w: "/recognition/give/",
        roles(
            anonymous="login unchanged",
            outsider=NOBODY,
            superuser=NOBODY,
            agent="200 unchanged",  # Sam may not recognise himself: the form again
            others=f"{BACK_TO_WALL} changed",
        ),
        data=_give,
        label="Sam, without points",
    ),
    _member_page("recognition/give/preview/", lambda w: f"/recognition/give/preview/?to={w.org['agent'].pk}&points=5"),
    _member_page("recognition/give/people/", lambda w: "/recognition/give/people/?people_q=e"),
    _page("recognition/<int:recognition_id>/", _recognition(), outsider="404", superuser="404", others="200"),
    _page("recognition/<int:recognition_id>/boost/", _recognition("boost/"), others="405"),
    Row(
        "recognition/<int:recognition_id>/boost/",
        "POST",
        _recognition("boost/"),
        roles(
            anonymous="login unchanged",
            outsider=NOT_SEEN,
            superuser=NOT_SEEN,
            employee=f"{BACK_TO_WALL} unchanged",  # the giver and the recipient are told why not
            agent=f"{BACK_TO_WALL} unchanged",
            others=f"{BACK_TO_WALL} changed",
        ),
        data=lambda w: {"points": "10"},
        label="Eve's recognition of Sam",
    ),
    _member_page("recognition/points/", lambda w: "/recognition/points/"),
    _page("recognition/points/nav/", lambda w: "/recognition/points/nav/", others="200"),
    _member_page("recognition/rewards/", lambda w: "/recognition/rewards/"),
    _member_page("recognition/rewards/<int:reward_id>/redeem/", _reward("redeem/?quantity=1")),
    Row(
        "recognition/rewards/<int:reward_id>/redeem/",
        "POST",
        _reward("redeem/"),
        roles(
            anonymous="login unchanged",
            outsider=NOBODY,
            superuser=NOBODY,
            employee=f"{BACK_TO_REWARDS} changed",
            agent=f"{BACK_TO_REWARDS} changed",
            others="200 unchanged",  # no points to spend: the page says so
        ),
        data=lambda w: {"quantity": "1"},
        label="a mug of 20 points",
    ),
    _page("recognition/rewards/<int:reward_id>/picture/", _reward("picture/"), others="404"),
    _page(
        "recognition/redemptions/<int:redemption_id>/cancel/",
        lambda w: f"/recognition/redemptions/{w.org['redemption'].pk}/cancel/",
        others="405",
    ),
    Row(
        "recognition/redemptions/<int:redemption_id>/cancel/",
        "POST",
        lambda w: f"/recognition/redemptions/{w.org['redemption'].pk}/cancel/",
        roles(anonymous="login unchanged", employee=f"{BACK_TO_REWARDS} changed", others=NOT_SEEN),
        data=lambda w: {"note": "From the matrix"},
        label="Eve's mug",
    ),
    _member_page(
        "recognition/people/<int:person_id>/badges/", lambda w: f"/recognition/people/{w.org['agent'].pk}/badges/"
    ),
    _page("recognition/approvals/", lambda w: "/recognition/approvals/", others="200"),
    _page("recognition/awards/new/", lambda w: "/recognition/awards/new/", manager="200", lead="200", others="403"),
    Row(
        "recognition/awards/new/",
        "POST",
        lambda w: "/recognition/awards/new/",
        roles(anonymous="login unchanged", manager=BACK_TO_APPROVALS, lead=BACK_TO_APPROVALS, others=DENIED),
        data=lambda w: {"to": w.org["employee"].pk, "points": "50", "reason": "From the matrix"},
        label="50 points to Eve",
    ),
    *(
        Row(
            f"recognition/awards/<int:award_id>/{action}/",
            "POST",
            _award(action),
            roles(
                anonymous="login unchanged",
                admin=BACK_TO_APPROVALS,
                superuser=BACK_TO_APPROVALS,
                manager=DENIED,  # the giver never decides on their own award
                employee=DENIED,  # nor the recipient
                others=NOT_SEEN,
            ),
            data=lambda w: {"note": "From the matrix"},
            label="Mo's award to Eve",
        )
        for action in ("approve", "reject")
    ),
    _page(
        "recognition/awards/<int:award_id>/",
        lambda w: f"/recognition/awards/{w.org['award'].pk}/",
        admin="200",
        superuser="200",
        manager="403",  # the giver and the recipient see it is theirs, but decide nothing
        employee="403",
        others="404",
    ),
    _page("recognition/awards/<int:award_id>/approve/", _award("approve"), others="405"),
    _admin_page(MANAGE, lambda w: f"/{MANAGE}"),
    _admin_write(
        f"{MANAGE}values/new/",
        lambda w: f"/{MANAGE}values/new/",
        "302 /recognition/manage/ changed",
        lambda w: {"name": "From the matrix", "description": ""},
    ),
    _admin_page(f"{MANAGE}values/<int:value_id>/", _value()),
    _admin_write(
        f"{MANAGE}values/<int:value_id>/",
        _value(),
        "302 /recognition/manage/ changed",
        lambda w: {"name": "Be very helpful", "description": "", "is_active": "on"},
    ),
    _admin_write(
        f"{MANAGE}values/<int:value_id>/move/",
        _value("move/"),
        "302 /recognition/manage/#values changed",
        lambda w: {"direction": "down"},
    ),
    _admin_write(
        f"{MANAGE}rules/",
        lambda w: f"/{MANAGE}rules/",
        "302 /recognition/manage/#rules changed",
        lambda w: {"event_type": "servicedesk.thanks_sent", "points": "5", "is_active": "on"},
    ),
    _admin_page(f"{MANAGE}rewards/", lambda w: f"/{MANAGE}rewards/"),
    _admin_page(f"{MANAGE}rewards/new/", lambda w: f"/{MANAGE}rewards/new/"),
    _admin_write(
        f"{MANAGE}rewards/new/",
        lambda w: f"/{MANAGE}rewards/new/",
        "302 /recognition/manage/rewards/ changed",
        _reward_form,
    ),
    _admin_page(f"{MANAGE}rewards/<int:reward_id>/", lambda w: f"/{MANAGE}rewards/{w.org['reward'].pk}/"),
    _admin_write(
        f"{MANAGE}rewards/<int:reward_id>/",
        lambda w: f"/{MANAGE}rewards/{w.org['reward'].pk}/",
        "302 /recognition/manage/rewards/ changed",
        _reward_form,
    ),
    _admin_page(f"{MANAGE}fulfilment/", lambda w: f"/{MANAGE}fulfilment/"),
    *(
        _admin_write(
            f"{MANAGE}redemptions/<int:redemption_id>/{action}/",
            _managed(action),
            "302 /recognition/manage/fulfilment/ changed",
            lambda w: {"note": "From the matrix"},
            label="Eve's mug",
        )
        for action in ("issue", "cancel")
    ),
    _admin_page(f"{MANAGE}fairness/", lambda w: f"/{MANAGE}fairness/"),
    _admin_page(f"{MANAGE}payroll/", lambda w: f"/{MANAGE}payroll/"),
    _admin_page(f"{MANAGE}payroll/csv/", lambda w: f"/{MANAGE}payroll/csv/?month=2026-01"),
]
