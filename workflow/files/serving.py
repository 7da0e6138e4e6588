"""A document's PDF as an answer: the one place both doors (pages and API) serve stored PDF bytes.

An uploaded PDF may carry JavaScript. It must never run with this app's origin, so every PDF answer
carries a sandboxing Content-Security-Policy (the browser gives the document an opaque origin: no
cookies, no script reaching the app), and is sent as an attachment except to the app's own viewers:
the file page's frame (Sec-Fetch-Dest: iframe) and pdf.js, which fetches the bytes as data
(Sec-Fetch-Dest: empty). Opening the link in a tab, or any client that does not say, downloads it.
"""
import io

from flask import request, send_file

PDF_CSP = "sandbox; default-src 'none'; object-src 'self'; frame-ancestors 'self'"
VIEWERS = ('iframe', 'embed', 'object', 'empty')


def pdf_response(data, filename, *, download=False, etag=True):
    """The PDF `data` named `filename`; inline only for the app's viewers (see the module)."""
    inline = not download and request.headers.get('Sec-Fetch-Dest') in VIEWERS
    response = send_file(io.BytesIO(data), mimetype='application/pdf', download_name=filename,
                         as_attachment=not inline, max_age=0, etag=etag)
    response.headers['Content-Security-Policy'] = PDF_CSP
    response.headers['Cache-Control'] = 'private, no-store'
    response.headers['X-Content-Type-Options'] = 'nosniff'
    return response
