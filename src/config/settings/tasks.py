"""Background work with Huey: SQLite storage in the data dir, or Redis when configured."""

from config.env import env_bool, env_int, env_str
from config.settings.base import DATA_DIR

_REDIS_URL = env_str("REDIS_URL", "")

HUEY = {
    "name": "insideout",
    "immediate": env_bool("TASKS_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": env_int("TASK_WORKERS", 2), "worker_type": "thread"},
}
if _REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "tasks.sqlite3")})
