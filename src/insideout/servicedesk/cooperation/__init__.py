"""Cooperation on top of the service desk: commitments, needed-by negotiation, feedback and thanks.

The rooms are the usual ones (models, services, selectors, api, events). The models belong to the
``servicedesk`` app: ``servicedesk/models.py`` imports them, so its migrations carry them.
"""
