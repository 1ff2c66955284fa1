"""Core Django settings. Integrations live in sibling modules (email, security, tasks)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from config.database import database_config, prepare_threshold_of
from config.env import EnvError, env_bool, env_int, env_list, env_path, env_str

# Lets the admin and querysets take type parameters at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "insideout"

# Everything the installation writes: the SQLite database, the task queue, uploads, the secret key.
DATA_DIR = env_path("DATA_DIR", Path.cwd() / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY", "")
    if configured:
        return configured
    # Generated once per installation and kept beside the data, never in the repository. The web
    # server and the task consumer may start together: the key is written to a private file that
    # is then linked into place, so a reader never sees a half-written key and the first one wins.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        draft = DATA_DIR / f".secret_key.{secrets.token_hex(8)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            os.write(descriptor, secrets.token_urlsafe(50).encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = key_file.read_text().strip()
    if not key:
        raise EnvError(f"{key_file} is empty; delete it to generate a new secret key, or set INSIDEOUT_SECRET_KEY")
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where people reach the site; links in e-mails start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # First, so its sign-in and password templates win over the admin's.
    "insideout.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "insideout.core",
    "insideout.people",
    "insideout.notifications",
    "insideout.servicedesk",
    "insideout.recognition",
    "insideout.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "insideout.web.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "insideout.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_config(
        env_str("DATABASE_URL", ""),
        data_dir=DATA_DIR,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # Empty means the default, as for the other whole numbers.
        prepare_threshold=prepare_threshold_of(env_str("DATABASE_PREPARE_THRESHOLD", "5").strip() or "5"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["insideout.people.auth.EmailOrUsernameBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Service desk attachments: size limit and allowed file extensions.
SERVICEDESK_ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 10) * 1_000_000
_ATTACHMENT_TYPES = "pdf,png,jpg,jpeg,gif,webp,txt,csv,log,md,docx,xlsx,pptx,odt,ods,odp,zip,eml,msg"
SERVICEDESK_ATTACHMENT_TYPES = [
    ext.lower().lstrip(".") for ext in env_list("ATTACHMENT_TYPES", _ATTACHMENT_TYPES.split(","))
]
# How long each server process keeps a desk's list of agents to assign (an agent who joined shows
# in the lists that much later); 0 keeps none.
SERVICEDESK_AGENT_LIST_SECONDS = env_int("SERVICEDESK_AGENT_LIST_SECONDS", 60)
# The API takes files inside JSON (base64, a third larger); forms stream files to disk instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = SERVICEDESK_ATTACHMENT_MAX_BYTES * 4 // 3 + 1_000_000

# How long the API remembers the answer to a write sent with an Idempotency-Key header.
IDEMPOTENCY_KEEP_HOURS = env_int("IDEMPOTENCY_KEEP_HOURS", 48)

# Recognition: the monthly allowance each person may give, the most one giver may give one person in a
# month, and how many points make one unit of the organisation's currency.
RECOGNITION_MONTHLY_ALLOWANCE = env_int("RECOGNITION_ALLOWANCE", 100)
RECOGNITION_PAIR_CAP = env_int("RECOGNITION_PAIR_CAP", 50)
RECOGNITION_POINTS_PER_CURRENCY_UNIT = env_int("RECOGNITION_POINTS_PER_UNIT", 10)
# Spot awards: each manager's and lead's monthly budget, and above how many points an award needs
# a second approver.
RECOGNITION_BUDGET_PER_MONTH = env_int("RECOGNITION_BUDGET", 500)
RECOGNITION_AWARD_APPROVAL_ABOVE = env_int("RECOGNITION_AWARD_APPROVAL_ABOVE", 200)
RECOGNITION_CURRENCY = env_str("RECOGNITION_CURRENCY", "EUR")
# Leaderboards (individual rankings); off: only team meters and badges, and the rankings' reads refuse.
RECOGNITION_LEADERBOARDS = env_bool("RECOGNITION_LEADERBOARDS", True)
# How long each server process keeps a wall card it built (recognitions do not change; a renamed
# person shows with the old name on such cards for that long at most); 0 keeps none.
RECOGNITION_CARD_CACHE_SECONDS = env_int("RECOGNITION_CARD_CACHE_SECONDS", 60)
# A gift-card provider for automatic fulfilment (recognition/providers.py); none: people-ops fulfil by hand.
_GIFTCARD_URL = env_str("GIFTCARD_PROVIDER_URL", "")
_GIFTCARD_TOKEN = env_str("GIFTCARD_PROVIDER_TOKEN", "")
RECOGNITION_GIFTCARD_PROVIDERS = (
    {"giftcards": {"url": _GIFTCARD_URL, "token": _GIFTCARD_TOKEN}} if _GIFTCARD_URL else {}
)

# Per process: the wall's cards (a few kB each), so room for a few thousand, not Django's 300.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}

# django-ninja: page size of list endpoints.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
