from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "insideout.servicedesk"
    label = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        # Subscribes this context's handlers to the event log, and registers its periodic tasks.
        from insideout.servicedesk import events, tasks  # noqa: F401
        from insideout.servicedesk.cooperation import agreement_events  # noqa: F401
