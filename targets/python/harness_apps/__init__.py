"""Small apps the harness runs on real servers: a Flask app (WSGI) and a FastAPI app (ASGI)
whose handler sleeps or burns CPU for the time each request asks for, instrumented with
harness_timing."""
