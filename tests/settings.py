"""Settings for the test run: the embedded defaults in a fresh temporary DATA_DIR."""

import os
import tempfile

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="dashwire-test-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# the session worker's two slots serve one test user at a time; the fairness test restarts
# the worker with a limit of one
os.environ.setdefault("QUERY_MAX_RUNNING_PER_USER", "2")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["dashboards.identity.wire_credentials.WirePasswordHasher"]
HEARTBEAT_INTERVAL_S = 0.5
STALE_EXECUTION_S = 3.0
# tests serve static files from the finders, not a collected folder; an empty one keeps
# WhiteNoise from warning on every request
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
