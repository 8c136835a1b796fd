"""Werkzeug's development server with threaded=False, as Flask's ``app.run(threaded=False)``
starts it (werkzeug.serving.run_simple -> make_server -> BaseWSGIServer), on the listening
socket at descriptor 3: one process serving one request at a time, accepting the next
connection only when the last one is done.

    python3 -m harness_servers.werkzeug_main --fd 3
"""

import argparse
import importlib
import os
import sys

import werkzeug
from werkzeug.serving import make_server

from harness_apps import lifecycle
from harness_timing.accept_clock import stamping


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    args = parser.parse_args()
    lifecycle.die_with_parent()
    version = getattr(werkzeug, "__version__", None)
    if version is None:
        from importlib.metadata import version as installed

        version = installed("werkzeug")
    sys.stderr.write("harness:server werkzeug %s\n" % version)
    sys.stderr.flush()
    # The user's app (a topology's `app`) when the harness was given one, else the bundled one.
    module = "harness_servers.own_app" if os.environ.get("HARNESS_APP") else "harness_apps.flask_app"
    app = importlib.import_module(module).app
    # host and port are read back from the socket; make_server does not bind or listen again.
    server = make_server("127.0.0.1", 0, app, threaded=False, processes=1, fd=args.fd)
    # socketserver accepts through get_request(): stamp each accepted connection.
    server.get_request = stamping(server.get_request)
    lifecycle.announce()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
