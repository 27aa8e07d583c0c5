"""Bucket CORS over the wire: PUT / GET / DELETE ?cors with S3's validation, unauthenticated
preflight OPTIONS on bucket and object URLs, CORS headers on actual responses (errors too),
and a real browser (headless Chromium) uploading and downloading across origins."""

import base64
import hashlib
import http.client
import http.server
import json
import pathlib
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
import uuid

import botocore
import pytest

from accounts_helpers import create_account, s3_for
from conftest import error_code

ORIGIN = "http://app.example.org"
ALL_METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"]


def rule(origins, methods=("GET",), **kw):
    r = {"AllowedOrigins": list(origins), "AllowedMethods": list(methods)}
    r.update(kw)
    return r


def put_cors(s3, bucket, *rules):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": list(rules)})


def raw(oosd, method, path, headers=None, body=None):
    """One plain HTTP request to oosd: (status, headers with lower-case names, body)."""
    u = urllib.parse.urlsplit(oosd.endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def preflight(oosd, path, origin=ORIGIN, method="GET", request_headers=None):
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if method is not None:
        headers["Access-Control-Request-Method"] = method
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return raw(oosd, "OPTIONS", path, headers)


def presigned_path(s3, op, **params):
    url = s3.generate_presigned_url(op, Params=params, ExpiresIn=600)
    u = urllib.parse.urlsplit(url)
    return u.path + "?" + u.query


# ---- configuration -------------------------------------------------------------------------


def test_put_get_delete(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_code(e) == "NoSuchCORSConfiguration"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    rules = [
        rule(["https://*.example.com", "http://localhost:8080"], ["GET", "PUT", "HEAD"], ID="web",
             AllowedHeaders=["x-amz-*", "Content-Type"], ExposeHeaders=["ETag", "x-amz-request-id"],
             MaxAgeSeconds=3000),
        rule(["*"], ["GET"]),
    ]
    r = s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules

    # A new PUT replaces the whole configuration.
    put_cors(s3, bucket, rule(["http://a.test"], ["DELETE"], ID="x & <y>"))
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [rule(["http://a.test"], ["DELETE"], ID="x & <y>")]

    r = s3.delete_bucket_cors(Bucket=bucket)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_code(e) == "NoSuchCORSConfiguration"
    # Deleting again is still 204.
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_get_document_is_s3_xml(oosd, s3, bucket):
    put_cors(s3, bucket, rule(["*"], ["GET"], MaxAgeSeconds=10))
    status, headers, body = raw(oosd, "GET", presigned_path(s3, "get_bucket_cors", Bucket=bucket))
    assert status == 200
    assert headers["content-type"] == "application/xml"
    assert b'<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' in body
    assert b"<MaxAgeSeconds>10</MaxAgeSeconds>" in body


@pytest.mark.parametrize("rules,code,message", [
    ([rule(["*"], ["GET"])] * 101, "MalformedXML", None),
    ([], "MalformedXML", None),
    ([rule(["*"], ["PATCH"])], "InvalidRequest",
     "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"),
    ([rule(["*"], ["GET", "get"])], "InvalidRequest",
     "Found unsupported HTTP method in CORS config. Unsupported method is get"),
    ([rule(["http://*.*.example.com"], ["GET"])], "InvalidRequest",
     'AllowedOrigin "http://*.*.example.com" can not have more than one wildcard.'),
    ([rule(["*"], ["GET"], AllowedHeaders=["x-*-*"])], "InvalidRequest",
     'AllowedHeader "x-*-*" can not have more than one wildcard.'),
    ([rule(["*"], ["GET"], ExposeHeaders=["*"])], "InvalidRequest", None),
    ([rule(["*"], ["GET"], ID="i" * 256)], "MalformedXML", None),
    ([rule(["*"], ["GET"], ID="same"), rule(["*"], ["PUT"], ID="same")], "MalformedXML", None),
])
def test_put_rejects_invalid(s3, bucket, rules, code, message):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        put_cors(s3, bucket, *rules)
    assert error_code(e) == code
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message:
        assert e.value.response["Error"]["Message"] == message
    # Nothing was stored.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_code(e) == "NoSuchCORSConfiguration"


def test_put_accepts_limits(s3, bucket):
    rules = [rule([f"http://h{i}.test", "https://*.x.test"], ALL_METHODS, ID=f"r{i}", AllowedHeaders=["*"])
             for i in range(100)]
    put_cors(s3, bucket, *rules)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules


def test_put_malformed_and_oversized_bodies(oosd, s3, bucket):
    def send(body):
        def rewrite(request, **kw):
            request.data = body
            for h in list(request.headers.keys()):
                if h.lower().startswith("x-amz-checksum") or h.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm"):
                    del request.headers[h]
            request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
            request.headers["Content-Length"] = str(len(body))

        s3.meta.events.register("before-sign.s3.PutBucketCors", rewrite)
        try:
            with pytest.raises(botocore.exceptions.ClientError) as e:
                put_cors(s3, bucket, rule(["*"]))
        finally:
            s3.meta.events.unregister("before-sign.s3.PutBucketCors", rewrite)
        return error_code(e)

    assert send(b"<CORSConfiguration><CORSRule>") == "MalformedXML"
    assert send(b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET"
                b"</AllowedMethod><Unknown/></CORSRule></CORSConfiguration>") == "MalformedXML"
    assert send(b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET"
                b"</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>") == "MalformedXML"
    big = (b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
           + b"<!-- pad -->" * 6000 + b"</CORSRule></CORSConfiguration>")
    assert len(big) > 64 * 1024
    assert send(big) == "MaxMessageLengthExceeded"


def test_put_requires_content_md5(oosd, bucket):
    s3 = oosd.client()

    def strip(request, **kw):
        for h in list(request.headers.keys()):
            if h.lower().startswith("x-amz-checksum") or h.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm",
                                                                       "x-amz-trailer"):
                del request.headers[h]

    s3.meta.events.register("before-sign.s3.PutBucketCors", strip)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        put_cors(s3, bucket, rule(["*"]))
    assert error_code(e) == "InvalidRequest"
    assert e.value.response["Error"]["Message"] == "Missing required header for this request: Content-MD5"


def test_owner_only(oosd, s3, bucket):
    put_cors(s3, bucket, rule(["*"]))
    other = create_account(oosd, "cors-" + uuid.uuid4().hex[:6])
    s3o = s3_for(oosd, other["access_key"], other["secret_key"])
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    for call in (lambda: s3o.get_bucket_cors(Bucket=bucket),
                 lambda: put_cors(s3o, bucket, rule(["http://evil.test"], ALL_METHODS)),
                 lambda: s3o.delete_bucket_cors(Bucket=bucket)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "AccessDenied"
    status, _, body = raw(oosd, "GET", f"/{bucket}?cors")
    assert status == 403 and b"AccessDenied" in body
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [rule(["*"])]


# ---- preflight -----------------------------------------------------------------------------


def test_preflight_needs_origin_config_and_bucket(oosd, s3, bucket):
    status, _, body = preflight(oosd, f"/{bucket}/k", origin=None)
    assert status == 400 and b"Insufficient information. Origin request header needed." in body
    assert b"<Code>BadRequest</Code>" in body
    status, _, body = preflight(oosd, f"/{bucket}/k")
    assert status == 403 and b"<Code>AccessForbidden</Code>" in body and b"CORS is not enabled" in body
    status, _, body = preflight(oosd, f"/no-such-bucket-{uuid.uuid4().hex[:8]}/k")
    assert status == 403 and b"<Code>AccessForbidden</Code>" in body
    put_cors(s3, bucket, rule(["*"]))
    status, _, body = preflight(oosd, f"/{bucket}/k", method=None)
    assert status == 400 and b"Access-Control-Request-Method" in body


def test_preflight_exact_origin(oosd, s3, bucket):
    put_cors(s3, bucket,
             rule(["http://other.test"], ["DELETE"]),
             rule([ORIGIN], ["GET", "PUT"], MaxAgeSeconds=600, ExposeHeaders=["ETag", "x-amz-version-id"]))
    for path in (f"/{bucket}", f"/{bucket}/", f"/{bucket}/dir/obj.txt"):
        status, h, body = preflight(oosd, path, method="PUT")
        assert status == 200, body
        assert h["access-control-allow-origin"] == ORIGIN
        assert h["access-control-allow-methods"] == "GET, PUT"
        assert h["access-control-allow-credentials"] == "true"
        assert h["access-control-max-age"] == "600"
        assert h["access-control-expose-headers"] == "ETag, x-amz-version-id"
        assert h["vary"] == "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
        assert "access-control-allow-headers" not in h
        assert body == b""
    # The first matching rule answers.
    status, h, _ = preflight(oosd, f"/{bucket}/k", origin="http://other.test", method="DELETE")
    assert status == 200 and h["access-control-allow-methods"] == "DELETE"
    assert "access-control-max-age" not in h and "access-control-expose-headers" not in h
    # Mismatches: method, origin, origin prefix/suffix tricks.
    for origin, method in ((ORIGIN, "DELETE"), ("http://other.test", "GET"), (ORIGIN + ".evil.test", "GET"),
                           ("https://app.example.org", "GET"), (ORIGIN, "OPTIONS"), (ORIGIN, "get")):
        status, h, body = preflight(oosd, f"/{bucket}/k", origin=origin, method=method)
        assert status == 403, (origin, method)
        assert b"<Code>AccessForbidden</Code>" in body
        assert "access-control-allow-origin" not in h


def test_preflight_wildcard_origins(oosd, s3, bucket):
    put_cors(s3, bucket, rule(["https://*.example.com"], ["GET", "HEAD"]), rule(["*"], ["PUT"]))
    for origin in ("https://app.example.com", "https://a.b.example.com"):
        status, h, _ = preflight(oosd, f"/{bucket}/k", origin=origin)
        assert status == 200 and h["access-control-allow-origin"] == origin
        assert h["access-control-allow-methods"] == "GET, HEAD"
    for origin in ("https://example.com", "http://app.example.com", "https://app.example.com.evil.test"):
        status, _, _ = preflight(oosd, f"/{bucket}/k", origin=origin)
        assert status == 403, origin
    # The `*` rule answers `*` for any origin, without credentials.
    for origin in ("http://anything.test", "null", "https://app.example.com"):
        status, h, _ = preflight(oosd, f"/{bucket}/k", origin=origin, method="PUT")
        assert status == 200
        assert h["access-control-allow-origin"] == "*"
        assert h["access-control-allow-methods"] == "PUT"
        assert "access-control-allow-credentials" not in h


def test_preflight_requested_headers(oosd, s3, bucket):
    put_cors(s3, bucket,
             rule([ORIGIN], ["PUT"], AllowedHeaders=["x-amz-*", "Content-Type"]),
             rule([ORIGIN], ["POST"], AllowedHeaders=["*"]),
             rule([ORIGIN], ["GET"]))
    status, h, _ = preflight(oosd, f"/{bucket}/k", method="PUT",
                             request_headers="X-Amz-Date, content-type,x-amz-content-sha256")
    assert status == 200
    assert h["access-control-allow-headers"] == "x-amz-date, content-type, x-amz-content-sha256"
    status, _, _ = preflight(oosd, f"/{bucket}/k", method="PUT", request_headers="content-type, x-custom")
    assert status == 403
    status, h, _ = preflight(oosd, f"/{bucket}/k", method="POST", request_headers="x-custom, authorization")
    assert status == 200 and h["access-control-allow-headers"] == "x-custom, authorization"
    # A rule without AllowedHeader allows no requested header.
    status, _, _ = preflight(oosd, f"/{bucket}/k", method="GET", request_headers="x-amz-date")
    assert status == 403
    status, h, _ = preflight(oosd, f"/{bucket}/k", method="GET", request_headers="")
    assert status == 200 and "access-control-allow-headers" not in h


def test_preflight_ignores_credentials_and_acl(oosd, s3, bucket):
    """Preflights are not authenticated: a private bucket answers them, and a bad
    Authorization header does not matter."""
    put_cors(s3, bucket, rule([ORIGIN], ["GET"]))
    status, h, _ = raw(oosd, "OPTIONS", f"/{bucket}/secret", {
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert status == 200 and h["access-control-allow-origin"] == ORIGIN


# ---- actual requests -----------------------------------------------------------------------


def test_actual_requests_carry_cors_headers(oosd, s3, bucket):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"payload")
    get_path = presigned_path(s3, "get_object", Bucket=bucket, Key="obj")
    # No configuration: no CORS headers.
    status, h, _ = raw(oosd, "GET", get_path, {"Origin": ORIGIN})
    assert status == 200 and "access-control-allow-origin" not in h

    put_cors(s3, bucket, rule([ORIGIN, "https://*.example.com"], ["GET", "HEAD"], ExposeHeaders=["ETag"],
                              MaxAgeSeconds=60))
    status, h, body = raw(oosd, "GET", get_path, {"Origin": ORIGIN})
    assert status == 200 and body == b"payload"
    assert h["access-control-allow-origin"] == ORIGIN
    assert h["access-control-allow-methods"] == "GET, HEAD"
    assert h["access-control-expose-headers"] == "ETag"
    assert h["access-control-max-age"] == "60"
    assert h["access-control-allow-credentials"] == "true"
    assert "Origin" in h["vary"]
    status, h, _ = raw(oosd, "GET", get_path, {"Origin": "https://cdn.example.com"})
    assert h["access-control-allow-origin"] == "https://cdn.example.com"
    # HEAD too.
    status, h, _ = raw(oosd, "HEAD", presigned_path(s3, "head_object", Bucket=bucket, Key="obj"), {"Origin": ORIGIN})
    assert status == 200 and h["access-control-allow-origin"] == ORIGIN

    # Errors carry them too, so that pages can read S3's error documents.
    missing = presigned_path(s3, "get_object", Bucket=bucket, Key="missing")
    status, h, body = raw(oosd, "GET", missing, {"Origin": ORIGIN})
    assert status == 404 and b"NoSuchKey" in body
    assert h["access-control-allow-origin"] == ORIGIN
    assert h["access-control-expose-headers"] == "ETag"
    status, h, _ = raw(oosd, "GET", f"/{bucket}/obj", {"Origin": ORIGIN})  # anonymous: 403
    assert status == 403 and h["access-control-allow-origin"] == ORIGIN

    # Not from an allowed origin, or a method no rule allows: no grant (but Vary).
    status, h, _ = raw(oosd, "GET", get_path, {"Origin": "http://evil.test"})
    assert status == 200 and "access-control-allow-origin" not in h
    assert "Origin" in h["vary"]
    put_path = presigned_path(s3, "put_object", Bucket=bucket, Key="obj2")
    status, h, _ = raw(oosd, "PUT", put_path, {"Origin": ORIGIN}, body=b"x")
    assert status == 200 and "access-control-allow-origin" not in h
    # Without Origin: nothing.
    status, h, _ = raw(oosd, "GET", get_path)
    assert status == 200 and "access-control-allow-origin" not in h and "vary" not in h


def test_boto3_requests_from_origin(oosd, s3, bucket):
    """Configuration requests are decorated too (S3 does that)."""
    put_cors(s3, bucket, rule(["*"], ALL_METHODS))

    def add_origin(request, **kw):
        request.headers["Origin"] = ORIGIN

    s3.meta.events.register("before-sign.s3.ListObjectsV2", add_origin)
    try:
        r = s3.list_objects_v2(Bucket=bucket)
    finally:
        s3.meta.events.unregister("before-sign.s3.ListObjectsV2", add_origin)
    h = r["ResponseMetadata"]["HTTPHeaders"]
    assert h["access-control-allow-origin"] == "*"
    assert h["access-control-allow-methods"] == "GET, PUT, POST, DELETE, HEAD"


# ---- a real browser ------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>cors</title></head><body>
<pre id="out">pending</pre>
<script>
(async () => {
  const out = document.getElementById("out");
  try {
    const put = await fetch(%(put)s, {method: "PUT", body: "hello from " + location.origin});
    const etag = put.headers.get("ETag");
    const got = await fetch(%(get)s);
    const text = await got.text();
    out.textContent = "RESULT put=" + put.status + " etag=" + etag + " get=" + got.status + " body=" + text;
  } catch (e) {
    out.textContent = "RESULT failed " + e.name + ": " + e.message;
  }
})();
</script>
</body></html>
"""


class _PageServer:
    """A tiny web server on 127.0.0.1 (another port: another origin) serving one page."""

    def __init__(self):
        self.page = b""
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(outer.page)))
                self.end_headers()
                self.wfile.write(outer.page)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def chromium_dom(url):
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    assert pathlib.Path(binary).exists(), "chromium is required for the browser test (apt-get install chromium)"
    profile = tempfile.mkdtemp(prefix="oosd-chromium-")
    try:
        r = subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout



def test_preflight_on_presigned_url(oosd, s3, bucket):
    put_cors(s3, bucket, rule([ORIGIN], ["PUT"]))
    path = presigned_path(s3, "put_object", Bucket=bucket, Key="k")
    status, h, body = preflight(oosd, path, method="PUT")
    assert status == 200, body
    assert h["access-control-allow-origin"] == ORIGIN


@pytest.mark.parametrize("mode", [
    "presigned",
    "public",
])
def test_browser_cross_origin_upload_and_download(oosd, s3, bucket, mode):
    """A page on one origin PUTs an object to the bucket on another origin with fetch() and
    reads it back (presigned URLs from boto3, or plain URLs on a public-read-write bucket);
    without the CORS rule the browser refuses."""
    site = _PageServer()
    try:
        assert site.origin != oosd.endpoint.rstrip("/")
        put_cors(s3, bucket, rule([site.origin], ["GET", "PUT"], AllowedHeaders=["*"], ExposeHeaders=["ETag"],
                                  MaxAgeSeconds=5))
        if mode == "public":
            s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")

        def page_for(key):
            if mode == "public":
                put = get = f"{oosd.endpoint.rstrip('/')}/{bucket}/{key}"
            else:
                put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
                get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
            return (PAGE % {"put": json.dumps(put), "get": json.dumps(get)}).encode()

        site.page = page_for("from-browser.txt")
        dom = chromium_dom(site.origin + "/")
        expected = f"hello from {site.origin}"
        assert "RESULT put=200" in dom, dom
        etag = s3.head_object(Bucket=bucket, Key="from-browser.txt")["ETag"]
        assert f"RESULT put=200 etag={etag} get=200 body={expected}" in dom, dom
        assert s3.get_object(Bucket=bucket, Key="from-browser.txt")["Body"].read() == expected.encode()

        # Without the rule the browser refuses: the preflight fails and fetch() rejects.
        s3.delete_bucket_cors(Bucket=bucket)
        site.page = page_for("refused.txt")
        dom = chromium_dom(site.origin + "/")
        assert "RESULT failed TypeError" in dom, dom
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.head_object(Bucket=bucket, Key="refused.txt")
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    finally:
        site.close()
