#!/usr/bin/env python3
"""delay-proxy.py PORTFILE TARGET_PORT DELAY_MS - a TCP proxy on 127.0.0.1
that holds every byte DELAY_MS milliseconds in each direction, as a
distant server's link does (a round trip of twice DELAY_MS), without
limiting the bandwidth.  It listens on a free port, writes the port number
to PORTFILE, and serves until killed.  For bench/run.sh's section "wan".
"""
import asyncio
import os
import sys
import time

TARGET = int(sys.argv[2])
DELAY = float(sys.argv[3]) / 1000


async def pump(reader, writer):
    """Copies reader to writer, each chunk DELAY after it was read."""
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                writer.close()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    while True:
        data = await reader.read(65536)
        await queue.put((time.monotonic() + DELAY, data or None))
        if not data:
            break
    await sender


async def handle(client_r, client_w):
    server_r, server_w = await asyncio.open_connection("127.0.0.1", TARGET)
    await asyncio.gather(pump(client_r, server_w), pump(server_r, client_w),
                         return_exceptions=True)


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    async with server:
        await server.serve_forever()


asyncio.run(main())
