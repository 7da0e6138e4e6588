"""A real, tiny HTTP front for the local PKI: TSA, OCSP and CRL on 127.0.0.1.

The app serves the same functions from its API; the tests need no app.
"""

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from workflow.signing import pki


def start_pki_server(keys_dir):
    """Serve ``keys_dir``'s PKI; returns the running server (``.base_url``, ``.shutdown()``)."""
    handler = type('Handler', (_PkiHandler,), {'keys_dir': keys_dir})
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    server.daemon_threads = True
    server.base_url = f'http://127.0.0.1:{server.server_address[1]}'
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _PkiHandler(BaseHTTPRequestHandler):
    keys_dir = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if self.path == pki.TSA_PATH:
            self._send(pki.tsa_response(self.keys_dir, body), 'application/timestamp-reply')
        elif self.path.startswith(pki.OCSP_PATH):
            self._send(self._ocsp(body), 'application/ocsp-response')
        else:
            self.send_error(404)

    def do_GET(self):
        if self.path == pki.CRL_PATH:
            crl = pki.build_crl(self.keys_dir, pki.revoked_certificates(self.keys_dir))
            self._send(crl, 'application/pkix-crl')
        elif self.path.startswith(pki.OCSP_PATH + '/'):
            encoded = unquote(self.path[len(pki.OCSP_PATH) + 1:])
            self._send(self._ocsp(base64.b64decode(encoded)), 'application/ocsp-response')
        else:
            self.send_error(404)

    def _ocsp(self, request_der):
        return pki.ocsp_response(self.keys_dir, request_der,
                                 lambda serial: pki.certificate_status(self.keys_dir, serial))

    def _send(self, body, content_type):
        self.send_response(200)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
