"""HTTPS and cookie hardening, switched on together by ``INSIDEOUT_HTTPS``."""

from config.env import env_bool, env_int

HTTPS = env_bool("HTTPS", False)

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading pins a whole domain to HTTPS in every browser, for months, and cannot be undone
# quickly; it is the domain owner's decision, not this application's, and internal host names
# are rarely eligible anyway. So no preload, and Django's check that asks for it is silenced.
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
