"""Signs requests with the real boto3 clients and prints them instead of sending them.

A 'before-send' hook answers every request with an empty 200 (nothing leaves the process) and
records what botocore would have sent: method, path and query, headers, body. Input on stdin:
{"endpoint", "region", "credentials": {...boto3.Session kwargs}, "calls": [{"service",
"operation", "params"?, "presign"?, "httpMethod"?}]}; output: a JSON list of signed requests.
"""
import base64
import json
import sys
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

request = json.load(sys.stdin)
session = boto3.Session(**request["credentials"])
captured = []


class _Raw:
    def stream(self, **_kwargs):
        return iter([b""])


def capture(request, **_kwargs):
    url = urlsplit(request.url)
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    captured.append(
        {
            "method": request.method,
            "url": url.path + ("?" + url.query if url.query else ""),
            "headers": {
                k.lower(): (v.decode() if isinstance(v, bytes) else v)
                for k, v in request.headers.items()
            },
            "host": url.netloc,
            "body": base64.b64encode(body).decode(),
        }
    )
    return AWSResponse(request.url, 200, {}, _Raw())


out = []
for call in request["calls"]:
    client = session.client(
        call["service"],
        endpoint_url=request["endpoint"],
        region_name=request["region"],
        # Debian's botocore (1.29) still presigns S3 URLs with SigV2 unless told s3v4; AWS
        # refuses SigV2 on buckets created since 2020, and so does the local stack.
        config=Config(
            retries={"max_attempts": 1},
            s3={"addressing_style": "path"},
            signature_version="s3v4" if call["service"] == "s3" else None,
        ),
    )
    client.meta.events.register("before-send", capture)
    params = call.get("params", {})
    if "presign" in call:
        url = urlsplit(
            client.generate_presigned_url(
                call["operation"],
                Params=params,
                ExpiresIn=call["presign"],
                HttpMethod=call.get("httpMethod"),
            )
        )
        out.append(
            {
                # botocore signs for the operation's own method unless told another.
                "method": call.get("httpMethod")
                or client.meta.service_model.operation_model(
                    client.meta.method_to_api_mapping[call["operation"]]
                ).http["method"],
                "url": url.path + "?" + url.query,
                "headers": {},
                "host": url.netloc,
                "body": "",
            }
        )
    else:
        try:
            getattr(client, call["operation"])(**params)
        except Exception:
            pass  # the empty answer may not parse; the request was captured before
        out.append(captured.pop())
print(json.dumps(out))
