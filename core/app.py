"""The application factory: extensions, blueprints, error handlers, CLI and Jinja helpers."""

from __future__ import annotations

import hashlib
import importlib
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, Config, config_from_env
from core import assets, audit_keys, jinja
from core.args import RowIdConverter
from core.errors import register_error_handlers
from core.extensions import csrf, db, login_manager, migrate
from core.inbound import refuse_bad_text
from core.security import enforce_policy, set_security_headers


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the Flask application."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.config.from_object(config or config_from_env())
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment for this configuration.")
    os.makedirs(app.instance_path, exist_ok=True)
    audit_keys.init_app(app)  # a production server without its audit key stops here

    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    jinja.init_app(app)
    register_static_fingerprints(app)
    if app.config.get("PROXY_COUNT"):
        # Behind nginx (deploy/nginx/pishkhan.conf): the client's address and scheme from the
        # X-Forwarded-* headers the trusted proxies set, for the audit log and the login throttle.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    assets.init_app(app)
    app.before_request(refuse_bad_text)  # first: no hook or view sees NUL or a lone surrogate
    app.before_request(enforce_policy)
    app.after_request(set_security_headers)
    return app


def register_static_fingerprints(app: Flask) -> None:
    """Every url_for('static', ...) carries ?v=<hash of the file>: nginx may cache such URLs for a
    year (immutable), and a changed file gets a new URL."""
    digests: dict[tuple, str] = {}

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values or not values.get("filename"):
            return
        path = os.path.join(app.static_folder, values["filename"])
        try:
            stat = os.stat(path)
        except OSError:
            return
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in digests:
            with open(path, "rb") as handle:
                digests[key] = hashlib.sha256(handle.read()).hexdigest()[:12]
        values["v"] = digests[key]


def register_extensions(app: Flask) -> None:
    import core.calendar
    import core.counters  # noqa: F401  (shared tables)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        render_as_batch=True,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "برای دیدن این صفحه ابتدا وارد شوید."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from accounts.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        """The session's user, if the session is of the account's current generation (User.get_id):
        logout, a new password, deactivation and "sign out everywhere" end older sessions."""
        from core.args import parse_int

        ident, _, generation = str(user_id).partition(":")
        ident, generation = parse_int(ident), parse_int(generation, minimum=0)
        user = db.session.get(User, ident) if ident is not None else None
        if user is None or generation != user.session_generation or not user.is_active:
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, request, url_for

        from core.errors import error_response, wants_json

        if wants_json():
            return error_response(401)
        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


# The /api/v1 endpoints live beside their feature; api/ holds only what they share.
FEATURE_API_MODULES = (
    "registry.api",
    "registry.reference_api",
    "licensing.api",
    "committees.api",
    "inspections.api",
    "reports.api",
    "letters.api",
)


def register_blueprints(app: Flask) -> None:
    import api

    for module in FEATURE_API_MODULES:
        importlib.import_module(module)  # each feature's api module registers its routes on api.bp
    from accounts.views import bp as accounts_bp
    from committees.views import bp as committees_bp
    from core.views import bp as core_bp
    from inspections.views import bp as inspections_bp
    from letters.views import bp as letters_bp
    from licensing.verify_views import bp as verify_bp
    from licensing.views import bp as licensing_bp
    from public.views import bp as public_bp
    from registry.views import bp as registry_bp
    from reports.views import bp as reports_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(registry_bp)
    app.register_blueprint(licensing_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(committees_bp)
    app.register_blueprint(inspections_bp)
    app.register_blueprint(letters_bp)
    api.init_app(app)  # the /api/v1 blueprint, its OpenAPI description and `flask api`
    app.register_blueprint(reports_bp)
    app.register_blueprint(public_bp)


def register_cli(app: Flask) -> None:
    from accounts.cli import users_cli
    from committees.cli import committees_cli
    from core.backup_cli import backup_cli
    from core.cli import audit_cli
    from demo.cli import seed_demo_command
    from letters.cli import calendar_cli, letters_cli
    from licensing.cli import licensing_cli
    from registry.cli import reference_cli, registry_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(registry_cli)
    app.cli.add_command(reference_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(licensing_cli)
    app.cli.add_command(committees_cli)
    app.cli.add_command(letters_cli)
    app.cli.add_command(calendar_cli)
