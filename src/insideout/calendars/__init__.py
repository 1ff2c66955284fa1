"""Business time: opening hours, public holidays and closures, measured in real elapsed time.

Pure Python (standard library and ``holidays``); nothing here imports Django or the rest of InsideOut.
See docs/adr/0007-business-calendar.md.
"""

from insideout.calendars.calendar import BusinessCalendar

__all__ = ["BusinessCalendar"]
