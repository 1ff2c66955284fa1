from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "insideout.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Registers the delivery tasks with Huey.
        from insideout.core import tasks  # noqa: F401
