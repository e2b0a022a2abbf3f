"""Serve the demo portal on 127.0.0.1 (loopback only).

    python demo/serve.py [--port 0] [--root demo/site]

Prints the port it listens on (port 0 = a free one, chosen by the OS) as the first line on stdout,
then serves until killed. http.server answers If-Modified-Since with 304, so a second crawl of the
demo shows conditional GET at work.
"""
from __future__ import annotations

import argparse
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(SimpleHTTPRequestHandler):
    # Like most government portals, send "text/html" with no charset: pages say it themselves
    # (or do not, which is the point of the GBK page).
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".html": "text/html", ".htm": "text/html"}

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent / "site"))
    args = parser.parse_args(argv)
    handler = functools.partial(QuietHandler, directory=args.root)
    with ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(server.server_address[1], flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
