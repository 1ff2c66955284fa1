"""Recognition pages, one module per audience:

- ``wall``: everyone — the wall, giving recognition, boosting it;
- ``points``: my balances and their history;
- ``rewards``: the catalog, redeeming, my redemptions;
- ``approvals``: spot awards — the approvals inbox, giving one from a budget;
- ``admin_pages``: people-ops — values, points rules, rewards, fulfilment, fair play, payroll.

The URLs are in ``recognition/urls.py``.
"""
