"""What other contexts and the web layer get from the service desk: plain values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeskSummary:
    """A person's standing with the desks, for the home page and navigation."""

    my_open_requests: int  # requests I made (or that were made for me) that are still open
    is_agent: bool  # works at least one desk
    is_desk_admin: bool  # leads at least one desk
    assigned_to_me: int  # open requests assigned to me
    at_risk_or_breached: int  # open requests at risk or breached on the desks I work
