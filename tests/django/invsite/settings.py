"""A tiny Django project standing in for InvenTree in invstage's tests."""
import os
from urllib.parse import unquote, urlparse

SECRET_KEY = "invstage-tests-only"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "inventory",
]


def _database(uri):
    if uri.startswith("sqlite:"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": uri[len("sqlite:"):]}
    u = urlparse(uri)
    if u.scheme in ("mysql", "mariadb"):  # Debian's python3-mysqldb
        return {"ENGINE": "django.db.backends.mysql", "NAME": unquote(u.path.lstrip("/")),
                "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""),
                "HOST": u.hostname or "", "PORT": str(u.port or ""),
                "OPTIONS": {"charset": "utf8mb4",
                            "init_command": "SET sql_mode = 'STRICT_TRANS_TABLES'"}}
    return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(u.path.lstrip("/")),
            "USER": unquote(u.username or ""),
            "PASSWORD": unquote(u.password or "") or os.environ.get("PGPASSWORD", ""),
            "HOST": u.hostname or "", "PORT": str(u.port or "")}


DATABASES = {"default": _database(os.environ.get("INVS_DJANGO_DB", "sqlite:/dev/null"))}
