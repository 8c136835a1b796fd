"""A small Flask app, written as any Flask app is, with no trace of the harness: the worked
example of README.md's "Measure your own app" (scenarios/own-app-flask.json runs it).

    GET /            a fast endpoint: the catalogue's first page, from memory
    GET /stock       waits on a slow resource (an inventory service that answers in
                     STOCK_MS milliseconds, 200 by default), as a request waits on a database
    GET /price       CPU-bound: prices a basket by computing for about PRICE_MS milliseconds
    GET /health      answers at once

Run it yourself with any server:  gunicorn --chdir targets/examples/flask_shop shop:app
"""

import os
import time

from flask import Flask, jsonify

app = Flask(__name__)

CATALOGUE = [{"sku": "sku-%03d" % i, "name": "item %d" % i} for i in range(20)]


def inventory_lookup():
    # The slow resource: a call that holds the request without using the CPU (the GIL is
    # released while it waits), as a database query or an HTTP call to another service does.
    time.sleep(int(os.environ.get("STOCK_MS", "200")) / 1000)
    return {"sku-001": 4, "sku-002": 0}


def price_basket():
    # CPU-bound work: it holds the GIL for its whole duration.
    deadline = time.thread_time() + int(os.environ.get("PRICE_MS", "50")) / 1000
    total = 0
    while time.thread_time() < deadline:
        for i in range(1000):
            total += i * i % 7
    return total


@app.get("/")
def catalogue():
    return jsonify(CATALOGUE[:10])


@app.get("/stock")
def stock():
    return jsonify(inventory_lookup())


@app.get("/price")
def price():
    return jsonify(total=price_basket())


@app.get("/health")
def health():
    return "ok\n"
