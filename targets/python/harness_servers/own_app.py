"""The user's own app, as a server imports it: ``harness_servers.own_app:app``.

The harness starts gunicorn, uvicorn or Werkzeug on this module instead of the user's, with the
environment saying which app to load (targets/real/command.ts):

    HARNESS_APP=shop.main:app      the module and the attribute (a dotted path inside it)
    HARNESS_APP_FACTORY=1          the attribute is a factory: call it with no arguments
    HARNESS_APP_INTERFACE=wsgi     what the server speaks: wsgi or asgi
    HARNESS_APP_TIMING=1           wrap the app in harness_timing's middleware

Importing this module imports the user's module the way the server would have (in each worker,
or once in the master with --preload), so the user's code is untouched and runs as deployed; the
only difference is the middleware around it, which adds the Server-Timing headers.

When the app cannot be loaded, one line goes to stderr before the exception propagates to the
server (which then logs it and stops as it would for the app itself):

    harness:app-error <kind> <message>

with <kind> one of module, dependency, attribute, import, factory, interface
(targets/real/server-log.ts), so that the harness can name the field to fix.
"""

import importlib
import inspect
import os
import sys

from harness_apps import lifecycle


def _fail(kind, message):
    sys.stderr.write("harness:app-error %s %s\n" % (kind, " ".join(str(message).split())))
    sys.stderr.flush()


def _is_async(app):
    if inspect.iscoroutinefunction(app):
        return True
    call = getattr(app, "__call__", None)
    return call is not None and inspect.iscoroutinefunction(call)


def _import(module_name):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        # The app's own module, or a package on its dotted path: the path or the name is wrong.
        parts = module_name.split(".")
        own = [".".join(parts[: i + 1]) for i in range(len(parts))]
        if missing in own:
            _fail(
                "module",
                "No module named %r (import path: %s)" % (missing, os.pathsep.join(sys.path[:4])),
            )
        else:
            _fail(
                "dependency",
                "%s imports %r, which %s does not have" % (module_name, missing, sys.executable),
            )
        raise
    except (SystemExit, KeyboardInterrupt):
        # The server ending the worker while it imports (gunicorn's SIGABRT after --timeout,
        # a stop): not the app's fault.
        raise
    except BaseException as error:
        _fail("import", "importing %s raised %s: %s" % (module_name, type(error).__name__, error))
        raise


def load():
    spec = os.environ["HARNESS_APP"]
    module_name, _, attribute = spec.partition(":")
    factory = os.environ.get("HARNESS_APP_FACTORY") == "1"
    module = _import(module_name)
    app = module
    for part in attribute.split("."):
        try:
            app = getattr(app, part)
        except AttributeError:
            _fail("attribute", "module %s has no attribute %r" % (module_name, attribute))
            raise
    if factory:
        try:
            app = app()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as error:
            _fail("factory", "calling %s() raised %s: %s" % (spec, type(error).__name__, error))
            raise
    if not callable(app):
        _fail("factory" if factory else "attribute", "%s is %r, not an app" % (spec, type(app)))
        raise TypeError("%s is not callable" % spec)
    interface = os.environ.get("HARNESS_APP_INTERFACE", "wsgi")
    is_async = _is_async(app)
    if interface == "asgi" and not is_async:
        _fail("interface", "%s is a WSGI app (a plain callable); this server runs ASGI apps" % spec)
        raise TypeError("%s is not an ASGI app" % spec)
    if interface == "wsgi" and is_async:
        _fail("interface", "%s is an ASGI app (async); this server runs WSGI apps" % spec)
        raise TypeError("%s is not a WSGI app" % spec)
    if os.environ.get("HARNESS_APP_TIMING", "1") == "1":
        from harness_timing import AsgiTimingMiddleware, TimingMiddleware

        app = AsgiTimingMiddleware(app) if interface == "asgi" else TimingMiddleware(app)
    return app


app = load()
# After the load: under uvicorn this announces the worker as ready to serve.
lifecycle.on_import()
