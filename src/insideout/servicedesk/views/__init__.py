"""Service desk pages, one module per audience, each with its own ``urlpatterns``:

- ``portal``: requesters — browse and search the catalog, file a request, my requests;
- ``workspace``: agents — queues, bulk assignment, the request page and its actions;
- ``manage``: desk admins (unit leads) — catalog and form editor, calendar editor, standards editor.
"""
