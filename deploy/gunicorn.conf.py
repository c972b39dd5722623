"""Gunicorn for Pishkhan in production, behind nginx (deploy/nginx/pishkhan.conf):

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

Threaded workers (gthread): a slow or stalled client holds one thread, never a whole worker, so a
few slow connections cannot stop /healthz or anyone else (tests/core/test_server.py shows it); nginx
in front buffers requests and responses, so slow clients normally never reach gunicorn at all.
Each value can be changed from the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...).
"""

import os

_cores = os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Processes (one per core, at least two so that one can restart while the other serves) and the
# threads of each: requests wait mostly on the database, so threads are cheap here.
workers = _int("GUNICORN_WORKERS", max(2, _cores))
threads = _int("GUNICORN_THREADS", 8)
# A worker whose request runs longer than this is killed and replaced (the annual report PDF is the
# slowest page: ~2 s on a national-size database).
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM or a reload: finish the requests in flight for this long, then stop.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Connections each worker keeps at once (in use or idle keep-alive); beyond it, new ones wait in the backlog.
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 200)
backlog = 512
# Request line and headers: refuse anything larger than a real browser or tablet sends.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Recycle workers now and then, so that no slow leak grows for weeks.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = 500
# No control socket: nothing to reach the master but signals from the service manager.
control_socket_disable = True
# The app is loaded in each worker (no shared database connections across fork).
preload_app = False
# The heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# nginx on the same machine sets X-Forwarded-Proto; trust it from loopback only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Who, what, status, size and the time taken (microseconds).
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
proc_name = "pishkhan"
