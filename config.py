"""Configuration classes, read from the environment."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PISHKHAN_INSTANCE_DIR", BASE_DIR / "instance"))


def _database_url(default_file: str) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / default_file}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url("pishkhan.sqlite3")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # WTForms' own Persian messages; Flask-Babel is not used.
    WTF_I18N_ENABLED = False
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024))
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", 10))
    PER_PAGE = 25
    PASSWORD_HASH_METHOD = "scrypt"  # nosec B105  # the name of a hash method, not a password
    ALLOW_DEMO_DATA = False
    TESTING = False
    # The public address printed in licence QR codes (e.g. https://pishkhan.example.ir); when
    # empty, the address the request came in on is used.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # The audit chain's HMAC key (AUDIT_KEY, or the file AUDIT_KEY_FILE), the Ed25519 key that signs
    # its checkpoints (AUDIT_SIGNING_KEY_FILE; AUDIT_VERIFY_KEY_FILE to check with the public key
    # only) and where checkpoints go. All outside the database; see docs/deploy.md.
    AUDIT_KEY = os.environ.get("AUDIT_KEY")
    AUDIT_KEY_FILE = os.environ.get("AUDIT_KEY_FILE")
    AUDIT_SIGNING_KEY_FILE = os.environ.get("AUDIT_SIGNING_KEY_FILE")
    AUDIT_VERIFY_KEY_FILE = os.environ.get("AUDIT_VERIFY_KEY_FILE")
    AUDIT_CHECKPOINT_DIR = os.environ.get("AUDIT_CHECKPOINT_DIR")
    # Development and testing make missing keys under the instance directory; production refuses.
    AUDIT_KEYS_AUTO_CREATE = True
    # How many reverse proxies (nginx) stand in front and set X-Forwarded-For/-Proto; 0 = none.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
    # `flask backup create` writes here (default instance/backups) and keeps the newest BACKUP_KEEP.
    BACKUP_DIR = os.environ.get("BACKUP_DIR")
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", 14))
    # Letters: SMS through a gateway ("http") or into a file ("file", development); e-mail by SMTP.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "file")
    SMS_FILE = os.environ.get("SMS_FILE", "")
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "generic")
    SMS_API_URL = os.environ.get("SMS_API_URL", "")
    SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
    SMS_SENDER = os.environ.get("SMS_SENDER", "")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "")
    # The Ed25519 key that signs the licence QR's payload: a file outside the database. Only
    # development and tests make one when it is missing; production must be given one.
    LICENCE_SIGNING_KEY_FILE = os.environ.get("LICENCE_SIGNING_KEY_FILE") or str(
        INSTANCE_DIR / "licence-signing.key"
    )
    LICENCE_SIGNING_KEY_CREATE = False


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    ALLOW_DEMO_DATA = True
    LICENCE_SIGNING_KEY_CREATE = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only"  # nosec B105  # the test configuration only; production reads the environment
    ALLOW_DEMO_DATA = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite:///:memory:"
    PASSWORD_MIN_LENGTH = 10
    # Fast hashing keeps the suite quick; production uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # nosec B105  # a hash method (tests only)
    WTF_CSRF_ENABLED = False
    LICENCE_SIGNING_KEY_FILE = os.environ.get("LICENCE_SIGNING_KEY_FILE") or str(
        Path(tempfile.gettempdir()) / "pishkhan-test-licence-signing.key"
    )
    LICENCE_SIGNING_KEY_CREATE = True


class ProductionConfig(Config):
    AUDIT_KEYS_AUTO_CREATE = False
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by PISHKHAN_ENV (development by default)."""
    return CONFIGS[os.environ.get("PISHKHAN_ENV", "development")]
