"""Settings for every environment: all values come from ``INSIDEOUT_*`` variables."""

from config.settings.base import *  # noqa: F403
from config.settings.email import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.tasks import *  # noqa: F403
