"""A small FastAPI app, written as any FastAPI app is, with no trace of the harness: the
worked example of README.md's "Measure your own app" (scenarios/own-app-fastapi.json runs it).

    GET /            a fast endpoint: the catalogue's first page, from memory
    GET /stock       awaits a slow resource (an inventory service that answers in STOCK_MS
                     milliseconds, 200 by default) without holding the event loop
    GET /stock-sync  the same wait written as a plain `def`: FastAPI runs it in its thread pool
                     (40 threads per worker), so at most 40 wait at once per worker
    GET /price       CPU-bound: prices a basket by computing for about PRICE_MS milliseconds,
                     in an `async def`, so the worker's event loop does nothing else meanwhile
    GET /health      answers at once

Run it yourself with any server:  uvicorn --app-dir targets/examples/fastapi_shop shop_api:app
"""

import asyncio
import os
import time

from fastapi import FastAPI

app = FastAPI()

CATALOGUE = [{"sku": "sku-%03d" % i, "name": "item %d" % i} for i in range(20)]


def stock_ms():
    return int(os.environ.get("STOCK_MS", "200"))


@app.get("/")
async def catalogue():
    return CATALOGUE[:10]


@app.get("/stock")
async def stock():
    await asyncio.sleep(stock_ms() / 1000)
    return {"sku-001": 4, "sku-002": 0}


@app.get("/stock-sync")
def stock_sync():
    time.sleep(stock_ms() / 1000)
    return {"sku-001": 4, "sku-002": 0}


@app.get("/price")
async def price():
    deadline = time.thread_time() + int(os.environ.get("PRICE_MS", "50")) / 1000
    total = 0
    while time.thread_time() < deadline:
        for i in range(1000):
            total += i * i % 7
    return {"total": total}


@app.get("/health")
async def health():
    return "ok"
