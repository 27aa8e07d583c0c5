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
