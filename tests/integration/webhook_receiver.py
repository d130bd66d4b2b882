#!/usr/bin/python3
"""A small local HTTP receiver for the notification end-to-end test (Slack, PagerDuty and
webhooks cannot be reached from here). Every POST is appended, before answering, as one JSON line
{"path", "key", "headers", "body"} to LOG (flushed at once), so a test can see a request that
was in flight when the sender died. The answer: 400 on a path that starts with /reject,
otherwise 200 (202 for /pagerduty). If the file DELAY_FILE exists, the receiver first sleeps the
number of seconds it holds (a slow receiver, to kill the sender mid-delivery).

Usage: webhook_receiver.py PORT LOG DELAY_FILE      (binds 127.0.0.1 only)
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log_path, delay_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
log = open(log_path, "a", encoding="utf-8")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        key = self.headers.get("Idempotency-Key", "")
        if not key:
            try:
                key = json.loads(body).get("key", "")
            except (ValueError, AttributeError):
                key = ""
        log.write(json.dumps({"path": self.path, "key": key,
                              "headers": dict(self.headers), "body": body}) + "\n")
        log.flush()
        if os.path.exists(delay_file):
            with open(delay_file) as f:
                time.sleep(float(f.read().strip() or "0"))
        status = 400 if self.path.startswith("/reject") else 202 if self.path.startswith("/pagerduty") else 200
        answer = b'{"error":"bad request"}' if status == 400 else b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.allow_reuse_address = True
server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
