"""Recognition's pages under ``/recognition/``."""

from django.urls import URLPattern, path

from insideout.recognition.views import admin_pages, approvals, badges, points, rewards, wall

app_name = "recognition"

MANAGE = "recognition/manage/"

urlpatterns: list[URLPattern] = [
    path("recognition/", wall.wall, name="wall"),
    path("recognition/give/", wall.give, name="give"),
    path("recognition/give/preview/", wall.give_preview, name="give-preview"),
    path("recognition/give/people/", wall.give_people, name="give-people"),
    path("recognition/<int:recognition_id>/", wall.recognition_page, name="recognition"),
    path("recognition/<int:recognition_id>/boost/", wall.boost, name="boost"),
    path("recognition/points/", points.my_points, name="points"),
    path("recognition/points/nav/", wall.nav_points, name="nav-points"),
    path("recognition/rewards/", rewards.catalog, name="rewards"),
    path("recognition/rewards/<int:reward_id>/redeem/", rewards.redeem, name="redeem"),
    path("recognition/rewards/<int:reward_id>/picture/", rewards.reward_picture, name="reward-picture"),
    path("recognition/redemptions/<int:redemption_id>/cancel/", rewards.redemption_cancel, name="redemption-cancel"),
    path("recognition/people/<int:person_id>/badges/", badges.person_badges, name="person-badges"),
    path("recognition/approvals/", approvals.approvals, name="approvals"),
    path("recognition/awards/new/", approvals.award_new, name="award-new"),
    path("recognition/awards/<int:award_id>/", approvals.award_page, name="award"),
    path("recognition/awards/<int:award_id>/approve/", approvals.approve, name="award-approve"),
    path("recognition/awards/<int:award_id>/reject/", approvals.reject, name="award-reject"),
    path(MANAGE, admin_pages.manage, name="manage"),
    path(f"{MANAGE}values/new/", admin_pages.value_create, name="manage-value-new"),
    path(f"{MANAGE}values/<int:value_id>/", admin_pages.value_edit, name="manage-value"),
    path(f"{MANAGE}values/<int:value_id>/move/", admin_pages.value_move, name="manage-value-move"),
    path(f"{MANAGE}rules/", admin_pages.rule_set, name="manage-rule"),
    path(f"{MANAGE}rewards/", admin_pages.rewards_manage, name="manage-rewards"),
    path(f"{MANAGE}rewards/new/", admin_pages.reward_new, name="manage-reward-new"),
    path(f"{MANAGE}rewards/<int:reward_id>/", admin_pages.reward_edit, name="manage-reward"),
    path(f"{MANAGE}fulfilment/", admin_pages.fulfilment, name="manage-fulfilment"),
    path(
        f"{MANAGE}redemptions/<int:redemption_id>/issue/", admin_pages.redemption_issue, name="manage-redemption-issue"
    ),
    path(
        f"{MANAGE}redemptions/<int:redemption_id>/cancel/",
        admin_pages.redemption_cancel,
        name="manage-redemption-cancel",
    ),
    path(f"{MANAGE}fairness/", admin_pages.fairness, name="manage-fairness"),
    path(f"{MANAGE}payroll/", admin_pages.payroll, name="manage-payroll"),
    path(f"{MANAGE}payroll/csv/", admin_pages.payroll_csv, name="manage-payroll-csv"),
]
