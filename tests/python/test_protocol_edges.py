"""Raw HTTP edges: malformed bodies, short bodies, disconnects, oversized input, presigned URLs."""

import http.client
import socket
import time
import urllib.error
import urllib.request

import botocore
import pytest

from conftest import error_code


def hostport(oosd):
    host, port = oosd.endpoint.split("//")[1].split(":")
    return host, int(port)


def presigned(s3, method, **params):
    return s3.generate_presigned_url(method, Params=params, ExpiresIn=300)


def test_presigned_v4_and_v2_get(oosd, s3, s3v2, bucket):
    s3.put_object(Bucket=bucket, Key="shared", Body=b"link me")
    for client in (s3, s3v2):
        with urllib.request.urlopen(presigned(client, "get_object", Bucket=bucket, Key="shared")) as r:
            assert r.read() == b"link me"


def test_presigned_put(oosd, s3, bucket):
    url = presigned(s3, "put_object", Bucket=bucket, Key="up")
    req = urllib.request.Request(url, data=b"uploaded", method="PUT")
    with urllib.request.urlopen(req) as r:
        assert r.status == 200
    assert s3.get_object(Bucket=bucket, Key="up")["Body"].read() == b"uploaded"


def test_presigned_expired_and_tampered(oosd, s3, s3v2, bucket):
    s3.put_object(Bucket=bucket, Key="e", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "e"}, ExpiresIn=1)
    url2 = s3v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "e"}, ExpiresIn=1)
    time.sleep(2.5)
    for u in (url, url2):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(u)
        assert e.value.code == 403
        assert b"AccessDenied" in e.value.read()
    good = presigned(s3, "get_object", Bucket=bucket, Key="e")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(good.replace("/e?", "/f?"))
    assert e.value.code == 403
    assert b"SignatureDoesNotMatch" in e.value.read()
    # Lifetimes that can never be valid (over a week, zero, negative): 403 AccessDenied.
    # botocore refuses to sign a lifetime <= 0, so those two are written into a signed URL; the
    # lifetime is judged before the signature.
    signed = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "e"}, ExpiresIn=604801)
    for expires in (604801, 0, -7):
        bad = signed.replace("X-Amz-Expires=604801", f"X-Amz-Expires={expires}")
        assert f"X-Amz-Expires={expires}" in bad
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(bad)
        assert e.value.code == 403, expires
        assert b"<Code>AccessDenied</Code>" in e.value.read(), expires


def tamper(client, event, fn):
    """Rewrites a real boto3 request just before it is signed."""
    client.meta.events.register(event, fn)
    return lambda: client.meta.events.unregister(event, fn)


def test_malformed_xml_changes_nothing(oosd, bucket):
    import base64, hashlib
    s3 = oosd.client()
    s3.put_object(Bucket=bucket, Key="keep", Body=b"1")
    bad = b"<Delete><Object><Key>keep</Key>"

    def rewrite(request, **kw):
        request.data = bad
        for h in list(request.headers.keys()):
            if h.lower().startswith("x-amz-checksum") or h.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm"):
                del request.headers[h]
        request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(bad).digest()).decode()
        request.headers["Content-Length"] = str(len(bad))

    undo = tamper(s3, "before-sign.s3.DeleteObjects", rewrite)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "keep"}]})
    undo()
    assert error_code(e) == "MalformedXML"
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"1"


def test_delete_objects_requires_integrity_header(oosd, bucket):
    s3 = oosd.client()

    def strip(request, **kw):
        for h in list(request.headers.keys()):
            if h.lower().startswith("x-amz-checksum") or h.lower() in ("content-md5", "x-amz-sdk-checksum-algorithm"):
                del request.headers[h]

    undo = tamper(s3, "before-sign.s3.DeleteObjects", strip)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "x"}]})
    undo()
    assert error_code(e) == "InvalidRequest"
    assert "Content-MD5" in e.value.response["Error"]["Message"]


def test_client_disconnect_mid_upload_leaves_nothing(oosd, s3, bucket):
    url = presigned(s3, "put_object", Bucket=bucket, Key="partial")
    path = url.split(oosd.endpoint, 1)[1]
    sock = socket.create_connection(hostport(oosd))
    head = f"PUT {path} HTTP/1.1\r\nHost: {hostport(oosd)[0]}\r\nContent-Length: 1000000\r\n\r\n"
    sock.sendall(head.encode() + b"a" * 300_000)
    time.sleep(0.2)
    sock.close()
    time.sleep(0.5)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="partial")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    for disk in (oosd.data_dir / "data").glob("disk*"):
        assert list((disk / "tmp").iterdir()) == []


def test_body_shorter_than_content_length(oosd, s3, bucket):
    url = presigned(s3, "put_object", Bucket=bucket, Key="short")
    path = url.split(oosd.endpoint, 1)[1]
    sock = socket.create_connection(hostport(oosd))
    host = "%s:%d" % hostport(oosd)
    sock.sendall(f"PUT {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 100\r\n\r\n".encode() + b"b" * 10)
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(10)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    sock.close()
    if data:
        assert b" 400 " in data.split(b"\r\n")[0]
        assert b"IncompleteBody" in data
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="short")


def test_oversized_headers_are_refused(oosd):
    conn = http.client.HTTPConnection(*hostport(oosd), timeout=10)
    conn.putrequest("GET", "/")
    conn.putheader("X-Big", "v" * 100_000)
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status in (400, 431)
    if resp.status == 400:
        assert b"RequestHeaderSectionTooLarge" in resp.read()


def test_every_error_has_request_id_and_resource(oosd, s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="missing/key")
    err = e.value.response["Error"]
    assert err["Code"] == "NoSuchKey"
    assert e.value.response["ResponseMetadata"]["RequestId"]
    assert err.get("Resource", "").endswith("missing/key")


def test_virtual_host_addressing(oosd, s3, bucket):
    s3.put_object(Bucket=bucket, Key="vh", Body=b"virtual")
    url = presigned(s3, "get_object", Bucket=bucket, Key="vh")
    # Same signed request, but Host-addressed: re-sign through a virtual-host client instead.
    import boto3
    from botocore.config import Config
    from conftest import ACCESS_KEY, SECRET_KEY
    port = hostport(oosd)[1]
    vh = boto3.client("s3", endpoint_url=f"http://localhost:{port}", aws_access_key_id=ACCESS_KEY,
                      aws_secret_access_key=SECRET_KEY, region_name="cn",
                      config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
    # Resolve {bucket}.localhost to 127.0.0.1 through the Host header: connect to 127.0.0.1.
    vurl = vh.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "vh"}, ExpiresIn=60)
    host = vurl.split("//")[1].split("/")[0]
    path = vurl.split(host, 1)[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": host})
    resp = conn.getresponse()
    assert host.startswith(bucket + ".localhost")
    assert resp.status == 200, resp.read()
    assert resp.read() == b"virtual"


def test_oversized_configuration_body_is_refused(oosd):
    s3 = oosd.client()
    big = b"<CreateBucketConfiguration>" + b" " * 100_000 + b"</CreateBucketConfiguration>"

    def rewrite(request, **kw):
        request.data = big
        request.headers["Content-Length"] = str(len(big))

    undo = tamper(s3, "before-sign.s3.CreateBucket", rewrite)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="too-big-config")
    undo()
    assert error_code(e) == "MaxMessageLengthExceeded"
    assert "too-big-config" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_expires_header_round_trips(s3, bucket):
    s3.put_object(Bucket=bucket, Key="exp", Body=b"x", Expires="Wed, 02 Jan 2030 03:04:05 GMT", ContentLanguage="zh-CN")
    r = s3.get_object(Bucket=bucket, Key="exp")
    assert r["ResponseMetadata"]["HTTPHeaders"]["expires"] == "Wed, 02 Jan 2030 03:04:05 GMT"
    assert r["ContentLanguage"] == "zh-CN"


# ---------- malformed Authorization headers (ceph s3-tests' auth cases, AWS's answers) ----------

def raw_request(oosd, method, path, headers, body=b""):
    """Sends one request exactly as given (no signing); returns (status, code, message)."""
    import re
    conn = http.client.HTTPConnection(*hostport(oosd), timeout=10)
    conn.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    conn.send(body)
    resp = conn.getresponse()
    text = resp.read().decode()
    conn.close()
    code = re.search(r"<Code>(.*?)</Code>", text)
    message = re.search(r"<Message>(.*?)</Message>", text)
    return resp.status, code and code.group(1), message and message.group(1)


def object_create_refused(oosd, s3, bucket, auth, want):
    headers = {} if auth is None else {"Authorization": auth}
    assert raw_request(oosd, "PUT", f"/{bucket}/foo", headers, b"bar") == want
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="foo")


def bucket_create_refused(oosd, s3, auth, want):
    import uuid
    name = "bad-auth-" + uuid.uuid4().hex[:12]
    headers = {} if auth is None else {"Authorization": auth}
    assert raw_request(oosd, "PUT", f"/{name}", headers) == want
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


DENIED = (403, "AccessDenied", "Access Denied")
V2_INVALID = (400, "InvalidArgument", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
UNSUPPORTED = (400, "InvalidArgument", "Unsupported Authorization Type")
NO_SPACE = (400, "InvalidArgument", "Authorization header is invalid -- one and only one ' ' (space) required.")
V4_MALFORMED = "The authorization header is malformed; "
V4_THREE = (400, "AuthorizationHeaderMalformed", V4_MALFORMED +
            "the authorization header requires three components: Credential, SignedHeaders, and Signature.")
V4_CRED = "Credential=AKIAIGR7ZNNBHC5BKSUB/20150930/us-east-1/s3/aws4_request"
V4_SIG = "Signature=" + "f" * 64


def test_object_create_bad_authorization_empty(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, "", DENIED)


def test_object_create_bad_authorization_none(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, None, DENIED)


def test_object_create_bad_authorization_invalid_aws2(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, "AWS HAHAHA", V2_INVALID)


def test_object_create_bad_authorization_missing_signature_aws2(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, "AWS AKIAIGR7ZNNBHC5BKSUB:", V2_INVALID)


def test_object_create_bad_authorization_invalid_aws4(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, "AWS4-HMAC-SHA256 Credential=HAHAHA", V4_THREE)


def test_object_create_bad_authorization_missing_signed_headers_aws4(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, f"AWS4-HMAC-SHA256 {V4_CRED}, {V4_SIG}", V4_THREE)


def test_object_create_bad_authorization_misnamed_signed_headers_aws4(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, f"AWS4-HMAC-SHA256 {V4_CRED}, missing=host, {V4_SIG}",
                          (400, "AuthorizationHeaderMalformed", V4_MALFORMED + "missing SignedHeaders."))


def test_object_create_bad_authorization_missing_signature_aws4(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, f"AWS4-HMAC-SHA256 {V4_CRED}, SignedHeaders=host, missing=x",
                          (400, "AuthorizationHeaderMalformed", V4_MALFORMED + "missing Signature."))


def test_object_create_bad_authorization_malformed_component_aws4(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, f"AWS4-HMAC-SHA256 {V4_CRED}, SignedHeaders-host, {V4_SIG}",
                          (400, "AuthorizationHeaderMalformed",
                           V4_MALFORMED + 'the authorization component "SignedHeaders-host" is malformed.'))


def test_object_create_bad_authorization_incorrect_aws4(oosd, s3, bucket):
    """Well formed and dated, but the key is unknown: 403, never stored."""
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    auth = f"AWS4-HMAC-SHA256 Credential=AKIAIGR7ZNNBHC5BKSUB/{now[:8]}/cn/s3/aws4_request," \
           "SignedHeaders=host;x-amz-date,Signature=" + "0" * 64
    assert raw_request(oosd, "PUT", f"/{bucket}/foo", {"Authorization": auth, "x-amz-date": now}, b"bar") == \
        (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="foo")


def test_object_create_bad_authorization_unknown_scheme(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, "AWS2-HMAC-SHA1 Credential=x", UNSUPPORTED)


def test_object_create_bad_authorization_without_space(oosd, s3, bucket):
    object_create_refused(oosd, s3, bucket, "invalid_header", NO_SPACE)


def test_bucket_create_bad_authorization_empty(oosd, s3):
    bucket_create_refused(oosd, s3, "", DENIED)


def test_bucket_create_bad_authorization_none(oosd, s3):
    bucket_create_refused(oosd, s3, None, DENIED)


def test_bucket_create_bad_authorization_invalid_aws2(oosd, s3):
    bucket_create_refused(oosd, s3, "AWS HAHAHA", V2_INVALID)


def test_bucket_create_bad_authorization_invalid_aws4(oosd, s3):
    # s3-tests sends "AWS4 HAHAHA": a scheme S3 does not know.
    bucket_create_refused(oosd, s3, "AWS4 HAHAHA", UNSUPPORTED)


def test_bucket_create_bad_authorization_missing_signed_headers_aws4(oosd, s3):
    bucket_create_refused(oosd, s3, f"AWS4-HMAC-SHA256 {V4_CRED}, {V4_SIG}", V4_THREE)


# ---------- keys that are not UTF-8 ----------

INVALID_URI = (400, "InvalidURI", "Couldn't parse the specified URI.")


def signed_raw(oosd, method, path, body=b""):
    """A SigV4-signed request for a raw (already percent-encoded) path."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from conftest import ACCESS_KEY, SECRET_KEY
    import hashlib
    req = AWSRequest(method=method, url=oosd.endpoint + path, data=body,
                     headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "cn").add_auth(req)
    headers = {k: v for k, v in req.headers.items()}
    return raw_request(oosd, method, path, headers, body)


def test_non_utf8_key_is_invalid_uri_signed(oosd, s3, bucket):
    # The signature itself is good: an ordinary key signed the same way is stored.
    assert signed_raw(oosd, "PUT", f"/{bucket}/ok%C3%A9", b"bar")[0] == 200
    assert s3.get_object(Bucket=bucket, Key="ok\u00e9")["Body"].read() == b"bar"
    for method in ("PUT", "GET", "HEAD", "DELETE"):
        got = signed_raw(oosd, method, f"/{bucket}/%FF%FE", b"bar" if method == "PUT" else b"")
        if method == "HEAD":
            assert got[0] == 400  # HEAD answers have no body
        else:
            assert got == INVALID_URI, method
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == ["ok\u00e9"]


def test_non_utf8_key_is_invalid_uri_anonymous(oosd, bucket):
    # A lone continuation byte, an overlong lead byte, a truncated sequence.
    for path in ("%FF%FE", "a%C0", "b%E2%82"):
        assert raw_request(oosd, "GET", f"/{bucket}/{path}", {}) == INVALID_URI, path
        assert raw_request(oosd, "PUT", f"/{bucket}/{path}", {}, b"x") == INVALID_URI, path
