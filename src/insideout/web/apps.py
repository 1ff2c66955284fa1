from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "insideout.web"
    label = "web"
    verbose_name = "Web"
