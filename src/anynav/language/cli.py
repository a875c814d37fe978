"""`anynav vla-test-server`: a scripted VLA server (NaVILA TCP or OpenAI chat) for demos and sims without a GPU."""

from __future__ import annotations

import argparse
import sys
import time

from anynav.language.testing_servers import (
    NAVILA_DEMO_SCRIPT,
    ScriptedNavilaServer,
    ScriptedOpenAIServer,
    ScriptedReply,
)

DEFAULT_PORTS = {"navila": 54321, "openai": 8000}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--protocol", choices=sorted(DEFAULT_PORTS), default="navila", help="wire protocol to speak")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=None, help="port (default: 54321 navila, 8000 openai)")
    parser.add_argument(
        "--reply",
        action="append",
        default=None,
        metavar="TEXT",
        help="a scripted reply, repeatable, answered in order (default: a short walk that ends in stop)",
    )
    parser.add_argument(
        "--cycle", action="store_true", help="start the script over instead of repeating its last reply"
    )
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds to wait before each reply (simulated inference)"
    )
    parser.add_argument("--api-key", default="", help="openai: require this bearer token")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after this many seconds (0: until Ctrl-C)")


def run(args: argparse.Namespace) -> int:
    if args.delay < 0.0 or args.duration < 0.0:
        print("error: --delay and --duration must be >= 0", file=sys.stderr)
        return 2
    port = DEFAULT_PORTS[args.protocol] if args.port is None else args.port
    if not 0 <= port <= 65535:
        print(f"error: --port {port}: expected 0..65535", file=sys.stderr)
        return 2
    script = [ScriptedReply(text, delay_s=args.delay) for text in (args.reply or NAVILA_DEMO_SCRIPT)]
    if args.protocol == "navila":
        server: ScriptedNavilaServer | ScriptedOpenAIServer = ScriptedNavilaServer(script, args.host, port, args.cycle)
        where = f"{server.host}:{server.port} (NaVILA TCP)"
    else:
        server = ScriptedOpenAIServer(script, args.host, port, args.cycle, api_key=args.api_key)
        where = f"{server.base_url} (OpenAI chat completions)"
    print(f"scripted VLA server on {where}; {len(script)} scripted replies", flush=True)
    stop_at = time.monotonic() + args.duration if args.duration else float("inf")
    shown = 0
    try:
        while time.monotonic() < stop_at:
            time.sleep(0.1)
            for request in server.requests[shown:]:
                shown += 1
                sizes = ", ".join(str(len(image)) for image in request.images)
                print(
                    f"request {shown}: {len(request.images)} images ({sizes} bytes): {request.instruction[-160:]!r}",
                    flush=True,
                )
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
