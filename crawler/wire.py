"""What a distributed run puts in Redis is JSON, never pickles: whoever can write to the Redis
must not be able to run code in a worker or in the archive writer.

`dumps`/`loads` are JSON with two extensions that Scrapy's request dicts (body, headers) need:
bytes (`{"$bytes": base64}`) and mappings with non-string keys (`{"$items": [[k, v], ...]}`). This module is scrapy-redis's `SCHEDULER_SERIALIZER` for the shared
request queue (`crawler.distributed`), and the encoding of the writer's records (crawler.records).
"""
from __future__ import annotations

import base64
import json

_BYTES = "$bytes"  # {"$bytes": base64}
_ITEMS = "$items"  # {"$items": [[key, value], ...]}: a dict whose keys are not all strings
_SCALARS = (str, int, float, bool, type(None))


def _encode(value):
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not {_BYTES, _ITEMS} & set(value):
            return {k: _encode(v) for k, v in value.items()}
        return {_ITEMS: [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_encode(v) for v in value]
    raise TypeError(f"{type(value).__name__} cannot go on the wire")


def _hook(obj: dict):
    if len(obj) == 1 and _BYTES in obj:
        value = obj[_BYTES]
        if not isinstance(value, str):
            raise ValueError("malformed bytes on the wire")
        return base64.b64decode(value, validate=True)
    if len(obj) == 1 and _ITEMS in obj:
        pairs = obj[_ITEMS]
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise ValueError("malformed mapping on the wire")
        return {_hashable(k): v for k, v in pairs}
    return obj


def _hashable(key):
    if isinstance(key, (list, dict)):
        raise ValueError("malformed mapping key on the wire")
    return key


def dumps(obj) -> bytes:
    return json.dumps(_encode(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str):
    return json.loads(data, object_hook=_hook)
