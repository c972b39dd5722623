"""`flask registry ...`"""

from flask.cli import AppGroup

registry_cli = AppGroup("registry", help="Import and maintain the site registry.")
