"""A real, tiny HTTP front for the local authority: TSA, OCSP and CRL on 127.0.0.1, and the record of
which certificates were issued and revoked (what the app keeps in its database; the library keeps
none). The app serves the same functions from its API; the library's tests need no app."""

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from workflow.signing.lib import authority, revocation, timestamps


class CertificateRecords:
    """Issued and revoked serial numbers, in memory."""

    def __init__(self, keys_dir):
        self.keys_dir, self.issued, self.revoked = keys_dir, set(), {}

    def note_issued(self, credential):
        self.issued.add(credential.serial)
        return credential

    def revoke(self, serial, *, reason='unspecified'):
        self.revoked[serial] = (revocation.now_to_the_second(), reason)

    def revocations(self):
        return [(serial, at, reason) for serial, (at, reason) in self.revoked.items()]

    def status(self, serial):
        if serial in self.revoked:
            return ('revoked', *self.revoked[serial])
        if serial in self.issued or serial in authority.service_serials(self.keys_dir):
            return 'good', None, None
        return 'unknown', None, None


def start_pki_server(keys_dir, records):
    """Serve ``keys_dir``'s authority with ``records``; returns the running server (``.base_url``, ``.shutdown()``)."""
    handler = type('Handler', (_PkiHandler,), {'keys_dir': keys_dir, 'records': records})
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    server.daemon_threads = True
    server.base_url = f'http://127.0.0.1:{server.server_address[1]}'
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _PkiHandler(BaseHTTPRequestHandler):
    keys_dir = None
    records = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if self.path == authority.TSA_PATH:
            self._send(timestamps.tsa_response(self.keys_dir, body), 'application/timestamp-reply')
        elif self.path.startswith(authority.OCSP_PATH):
            self._send(self._ocsp(body), 'application/ocsp-response')
        else:
            self.send_error(404)

    def do_GET(self):
        if self.path == authority.CRL_PATH:
            crl = revocation.build_crl(self.keys_dir, self.records.revocations())
            self._send(crl, 'application/pkix-crl')
        elif self.path.startswith(authority.OCSP_PATH + '/'):
            encoded = unquote(self.path[len(authority.OCSP_PATH) + 1:])
            self._send(self._ocsp(base64.b64decode(encoded)), 'application/ocsp-response')
        else:
            self.send_error(404)

    def _ocsp(self, request_der):
        return revocation.ocsp_response(self.keys_dir, request_der, self.records.status)

    def _send(self, body, content_type):
        self.send_response(200)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
