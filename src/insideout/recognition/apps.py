from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "insideout.recognition"
    label = "recognition"
    verbose_name = _("Recognition")

    def ready(self) -> None:
        # Subscribes this context's handlers to the event log, and registers its periodic tasks.
        from insideout.recognition import badges, events, rules, tasks  # noqa: F401
