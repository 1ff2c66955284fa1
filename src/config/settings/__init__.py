"""Settings for every environment: all values come from ``INSIDEOUT_*`` variables."""

from config.env import EnvError

try:
    from config.settings.base import *  # noqa: F403
    from config.settings.email import *  # noqa: F403
    from config.settings.security import *  # noqa: F403
    from config.settings.tasks import *  # noqa: F403
except EnvError as exc:
    # A mistyped variable is the operator's to fix: one line that names it, not a traceback.
    raise SystemExit(f"InsideOut configuration error: {exc}") from None
