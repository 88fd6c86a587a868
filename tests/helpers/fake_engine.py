"""A scripted OpenAI-compatible chat server on 127.0.0.1, for driving the real client path in tests.

Each request pops the next scripted reply: ``(content, finish_reason)`` or ``("HTTP", status)``;
with ``respond`` set, the reply is ``respond(request_body)`` instead (for calls made concurrently,
whose order a script cannot know).
Requests are kept in ``.requests`` so a test can check what was sent (seed, response_format).
With ``logprobs`` set (a function of the reply's text), a request that asks for ``logprobs`` gets
``choices[0].logprobs`` as llama-server sends it (see :func:`digit_logprobs`).

A request with ``"stream": true`` gets the reply as server-sent events, ``piece_chars``
characters per event (a "token"), ``piece_delay_s`` apart; ``.streamed`` records, per
streamed request, how many pieces were sent and whether the client hung up first.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeEngine:
    def __init__(self, script: list[tuple], *, piece_chars: int = 4, piece_delay_s: float = 0.0):
        self.script = list(script)
        self.respond = None
        self.logprobs = None
        self.requests: list[dict] = []
        self.streamed: list[dict] = []
        self.piece_chars, self.piece_delay_s = piece_chars, piece_delay_s
        engine = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # the model list a supervisor asks an endpoint for before it uses it
                data = json.dumps({"object": "list", "data": [{"id": "m", "object": "model"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                engine.requests.append(body)
                if engine.respond is not None:
                    content, finish = engine.respond(body)
                else:
                    content, finish = engine.script.pop(0) if engine.script else ("", "stop")
                if content == "HTTP":
                    self.send_response(finish)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "scripted failure"}}')
                    return
                if body.get("stream"):
                    self.stream(body, content, finish)
                    return
                choice = {"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": content}}
                if body.get("logprobs") and engine.logprobs is not None:
                    choice["logprobs"] = {"content": engine.logprobs(content)}
                reply = {
                    "id": "x",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", "m"),
                    "choices": [choice],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def stream(self, body, content, finish):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [content[i : i + engine.piece_chars] for i in range(0, len(content), engine.piece_chars)]
                record = {"pieces": len(pieces), "sent": 0, "hung_up": False}
                engine.streamed.append(record)

                def event(choices, **extra):
                    head = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "m")}
                    data = json.dumps({**head, "choices": choices, **extra})
                    self.wfile.write(f"data: {data}\n\n".encode())
                    self.wfile.flush()

                try:
                    event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
                    for piece in pieces:
                        time.sleep(engine.piece_delay_s)
                        event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
                        record["sent"] += 1
                    event([{"index": 0, "delta": {}, "finish_reason": finish}])
                    usage = {"prompt_tokens": 10, "completion_tokens": len(pieces), "total_tokens": 10 + len(pieces)}
                    event([], usage=usage)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    record["hung_up"] = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def digit_logprobs(alternatives):
    """A ``logprobs`` function for :class:`FakeEngine`: the text in tokens as Qwen cuts numbers (one digit each),
    each digit's top alternatives from ``alternatives(digit) -> {token: probability}``."""
    import math
    import re

    def content(text):
        out = []
        for token in re.findall(r"\d|\D+", text):
            top = alternatives(token) if token.isdigit() else {token: 1.0}
            out.append(
                {
                    "token": token,
                    "logprob": math.log(top.get(token, 1e-9)),
                    "bytes": list(token.encode()),
                    "top_logprobs": [
                        {"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in top.items()
                    ],
                }
            )
        return out

    return content
