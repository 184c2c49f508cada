"""Issue 14, item 18 (the network's side): whatever answers at the relay's address cannot make
a laptop or the office hold an answer of any size (the client read a whole 400 MB answer into
memory). The real relay client against a hostile HTTP server on 127.0.0.1 that answers every
request with an endless stream, or with a body it says is 400 MB."""

from __future__ import annotations

import http.server
import threading
import tracemalloc
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ips_desktop.sync.relay_client import RelayTransport
from ips_desktop.sync.transport import TransportError

MIB = 1024 * 1024


class Endless(http.server.BaseHTTPRequestHandler):
    declared = False

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if self.declared:
            self.send_header("Content-Length", str(400 * MIB))
        self.end_headers()
        chunk = bytes(MIB)
        try:
            for _ in range(400):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


class Declared(Endless):
    declared = True


@pytest.fixture(params=[Endless, Declared], ids=["streamed", "declared"])
def hostile(request: pytest.FixtureRequest) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_endless_answer_is_cut_off_with_a_clear_message(hostile: str) -> None:
    client = RelayTransport(hostile, Ed25519PrivateKey.generate(), timeout=10)
    tracemalloc.start()
    try:
        with pytest.raises(TransportError, match="larger than 16 MB"):
            client.bundle()
        with pytest.raises(TransportError, match="larger than 81 MB"):
            client.fetch_envelope("envelope/1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        client.close()
    assert peak < 200 * MIB, f"held {peak / MIB:.0f} MiB"
