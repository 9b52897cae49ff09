"""One boto3 call against the local stack, described by JSON on stdin; the outcome as JSON on stdout.

Request: {"service", "endpoint", "region", "operation", "params"?, "credentials"? (boto3.Session
keyword arguments), "profile"?, "presign"? (seconds: answer a presigned URL instead of calling),
"httpMethod"? (the presigned URL's method; botocore otherwise keeps the operation's, POST for the
Query protocol, which AWS refuses for a GET of the URL)}.
Outcome: {"ok": true, "result": ...} or {"ok": false, "code", "status", "message"}.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

request = json.load(sys.stdin)
session = boto3.Session(profile_name=request.get("profile"), **request.get("credentials", {}))
client = session.client(
    request["service"],
    endpoint_url=request["endpoint"],
    region_name=request["region"],
    config=Config(retries={"max_attempts": 1, "mode": "standard"}),
)
params = request.get("params", {})
try:
    if "presign" in request:
        result = client.generate_presigned_url(
            request["operation"],
            Params=params,
            ExpiresIn=request["presign"],
            HttpMethod=request.get("httpMethod"),
        )
    else:
        result = getattr(client, request["operation"])(**params)
        result.pop("ResponseMetadata", None)
    print(json.dumps({"ok": True, "result": result}, default=str))
except ClientError as err:
    print(
        json.dumps(
            {
                "ok": False,
                "code": err.response["Error"]["Code"],
                "status": err.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": err.response["Error"].get("Message", ""),
            }
        )
    )
