"""The connection for one request: plain or TLS (trusting all certificates when
`ssl.insecureTrustAllCertificates` says so), direct or through an HTTP proxy (a tunnel for
https)."""
from __future__ import annotations

import http.client
import ssl
import urllib.parse

from .auth import basic_authorization
from .options import Options


def open_connection(parts: urllib.parse.SplitResult, options: Options) -> http.client.HTTPConnection:
    """A connection, not yet connected, for the URL split into `parts`."""
    timeout = options.connect_timeout
    host, port = parts.hostname, parts.port
    proxy = options.proxy
    if parts.scheme.lower() == "https":
        context = ssl.create_default_context()
        if options.insecure:  # `ssl.insecureTrustAllCertificates`: no certificate or host check
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if proxy is None:
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        conn = http.client.HTTPSConnection(proxy.host, proxy.port, timeout=timeout, context=context)
        tunnel_headers = {}
        if proxy.username is not None:
            tunnel_headers["Proxy-Authorization"] = basic_authorization(proxy.username, proxy.password)
        conn.set_tunnel(host, port, headers=tunnel_headers)
        return conn
    if proxy is not None:
        return http.client.HTTPConnection(proxy.host, proxy.port, timeout=timeout)
    return http.client.HTTPConnection(host, port, timeout=timeout)
