"""`Authorization` header values: Basic credentials, and the answer to a Digest challenge
(RFC 7616, qop=auth or none, MD5 or SHA-256, plain or -sess)."""
from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
from typing import Any

from ..pebble.printing import to_string
from ..task import TaskFailed


def basic_authorization(username: Any, password: Any) -> str:
    """`Basic` credentials, the values printed with Java's toString (as Kestra)."""
    pair = f"{to_string(username)}:{to_string(password)}".encode("utf-8")
    return "Basic " + base64.b64encode(pair).decode("ascii")


def digest_challenge(response: http.client.HTTPResponse) -> dict[str, str] | None:
    """The parameters of the response's Digest challenge, if it has one."""
    for value in response.headers.get_all("WWW-Authenticate") or ():
        if value.strip().lower().startswith("digest "):
            pairs = re.findall(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)', value.strip()[7:])
            return {k.lower(): v[1:-1].replace('\\"', '"') if v.startswith('"') else v for k, v in pairs}
    return None


def digest_authorization(challenge: dict[str, str], method: str, target: str, username: str, password: str) -> str:
    """The `Authorization` header answering a Digest challenge (RFC 7616, qop=auth or none)."""
    algorithm = challenge.get("algorithm", "MD5")
    hashes = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
    base = algorithm.upper().removesuffix("-SESS")
    if base not in hashes:
        raise TaskFailed(f"Digest authentication: unsupported algorithm `{algorithm}`")

    def h(text: str) -> str:
        return hashes[base](text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce = os.urandom(8).hex()
    ha1 = h(f"{username}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{target}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    fields = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{target}"',
              f"algorithm={algorithm}"]
    if qops:
        if "auth" not in qops:
            raise TaskFailed(f"Digest authentication: unsupported qop `{challenge.get('qop')}`")
        nc = "00000001"
        fields += [f'response="{h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")}"', "qop=auth", f"nc={nc}",
                   f'cnonce="{cnonce}"']
    else:
        fields.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
    if "opaque" in challenge:
        fields.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(fields)
