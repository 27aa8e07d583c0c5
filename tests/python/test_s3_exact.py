"""Exact S3 behaviours that conformance suites check: repeated part numbers in a completion,
chunked PUTs without a length, byte-exact metadata, SigV2 dates, ListObjects v1's Prefix,
ListBuckets paging, CORS rules for actual requests, partNumber past the last part."""

import http.client
import os
import urllib.error
import urllib.request
import uuid

import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from conftest import ACCESS_KEY, SECRET_KEY, error_code

MIB = 1024 * 1024


def hostport(oosd):
    host, port = oosd.endpoint.split("//")[1].split(":")
    return host, int(port)


def test_completion_naming_a_part_twice_uses_the_last_entry(s3, bucket):
    """A part re-sent while its first upload was in flight: the client lists both answers;
    the one that finished last is stored and named last, and the completion uses it."""
    uid = s3.create_multipart_upload(Bucket=bucket, Key="twice")["UploadId"]
    first = s3.upload_part(Bucket=bucket, Key="twice", UploadId=uid, PartNumber=1, Body=b"B" * 8)["ETag"]
    last = s3.upload_part(Bucket=bucket, Key="twice", UploadId=uid, PartNumber=1, Body=b"A" * 8)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="twice", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first}, {"PartNumber": 1, "ETag": last}]})
    assert s3.get_object(Bucket=bucket, Key="twice")["Body"].read() == b"A" * 8
    # Descending part numbers are still out of order.
    uid = s3.create_multipart_upload(Bucket=bucket, Key="order")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="order", UploadId=uid, PartNumber=1, Body=b"x" * (5 * MIB))["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="order", UploadId=uid, PartNumber=2, Body=b"y")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="order", UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert error_code(e) == "InvalidPartOrder"


def signed_put(oosd, bucket, key, headers, body_chunks):
    """A SigV4 PUT with UNSIGNED-PAYLOAD sent as a plain HTTP/1.1 chunked body, no length."""
    url = f"{oosd.endpoint}/{bucket}/{key}"
    req = AWSRequest(method="PUT", url=url, headers=dict(headers, **{"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}))
    SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "s3", "cn").add_auth(req)
    conn = http.client.HTTPConnection(*hostport(oosd), timeout=30)
    conn.putrequest("PUT", f"/{bucket}/{key}", skip_accept_encoding=True)
    for k, v in req.headers.items():
        conn.putheader(k, v)
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    for chunk in body_chunks:
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    conn.send(b"0\r\n\r\n")
    resp = conn.getresponse()
    out = (resp.status, resp.read())
    conn.close()
    return out


def test_chunked_put_without_content_length_is_stored(oosd, s3, bucket):
    chunks = [os.urandom(1000), os.urandom(300 * 1024), b"end"]
    status, body = signed_put(oosd, bucket, "chunked", {}, chunks)
    assert status == 200, body
    got = s3.get_object(Bucket=bucket, Key="chunked")
    assert got["ContentLength"] == sum(map(len, chunks))
    assert got["Body"].read() == b"".join(chunks)
    status, body = signed_put(oosd, bucket, "tiny", {}, [b"abc"])
    assert status == 200, body
    assert s3.get_object(Bucket=bucket, Key="tiny")["Body"].read() == b"abc"


def raw_put(oosd, bucket, key, extra):
    """A SigV4 PUT of one byte with headers sent as raw bytes (boto3 refuses non-ASCII)."""
    url = f"{oosd.endpoint}/{bucket}/{key}"
    req = AWSRequest(method="PUT", url=url, data=b"x", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "s3", "cn").add_auth(req)
    conn = http.client.HTTPConnection(*hostport(oosd), timeout=30)
    conn.putrequest("PUT", f"/{bucket}/{key}", skip_accept_encoding=True)
    for k, v in req.headers.items():
        conn.putheader(k, v)
    for k, v in extra:
        conn.putheader(k, v)
    conn.putheader("Content-Length", "1")
    conn.endheaders(b"x")
    status = conn.getresponse().status
    conn.close()
    return status


def raw_meta(s3, bucket, key, name):
    """The stored value's bytes as the server sent them (http.client reads them as Latin-1)."""
    headers = s3.head_object(Bucket=bucket, Key=key)["ResponseMetadata"]["HTTPHeaders"]
    return headers[name].encode("latin-1")


@pytest.mark.parametrize("value", ["Hello World\xe9".encode("latin-1"), "你好, é".encode(), b"two  spaces"])
def test_metadata_round_trips_byte_for_byte(oosd, s3, bucket, value):
    assert raw_put(oosd, bucket, "meta", [("x-amz-meta-v", value)]) == 200
    assert raw_meta(s3, bucket, "meta", "x-amz-meta-v") == value
    # A copy keeps it exactly too.
    s3.copy_object(Bucket=bucket, Key="meta2", CopySource={"Bucket": bucket, "Key": "meta"})
    assert raw_meta(s3, bucket, "meta2", "x-amz-meta-v") == value


@pytest.mark.parametrize("date,code", [
    ("Tue, 07 Jul 1950 21:53:04 GMT", "AccessDenied"),
    ("Tue, 07 Jul 2010 21:53:04 GMT", "RequestTimeTooSkewed"),
    ("Tue, 07 Jul 9999 21:53:04 GMT", "RequestTimeTooSkewed"),
    ("", "AccessDenied"),
    ("Bad Date", "AccessDenied"),
])
def test_sigv2_dates(oosd, bucket, date, code):
    v2 = oosd.client("s3")

    def add(**kw):
        kw["params"]["headers"]["x-amz-date"] = date

    v2.meta.events.register("before-call.s3.PutObject", add)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.put_object(Bucket=bucket, Key="dated", Body=b"x")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error_code(e) == code


def test_list_v1_prefix_is_not_url_encoded(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a b/+c", Body=b"x")
    r = s3.list_objects(Bucket=bucket, Prefix="a b/+", EncodingType="url")
    # Keys are encoded (boto3 does not decode when the caller asked for the encoding), the
    # top-level Prefix is not.
    assert r["Prefix"] == "a b/+"
    assert [o["Key"] for o in r["Contents"]] == ["a%20b/%2Bc"]
    # Through boto3's own encoding (which it decodes again), the prefix reads back as sent.
    assert s3.list_objects(Bucket=bucket, Prefix="a b/+")["Prefix"] == "a b/+"
    assert s3.list_objects_v2(Bucket=bucket, Prefix="a b/+")["Prefix"] == "a b/+"


def test_list_buckets_pages(oosd, s3):
    prefix = "lb-" + uuid.uuid4().hex[:8] + "-"
    names = [f"{prefix}{i}" for i in range(5)]
    for n in names:
        s3.create_bucket(Bucket=n)
    try:
        seen, token, pages = [], None, 0
        while True:
            kw = {"ContinuationToken": token} if token else {}
            r = s3.list_buckets(Prefix=prefix, MaxBuckets=2, **kw)
            assert r["Prefix"] == prefix
            assert len(r["Buckets"]) <= 2
            seen += [b["Name"] for b in r["Buckets"]]
            pages += 1
            token = r.get("ContinuationToken")
            if not token:
                break
        assert (seen, pages) == (names, 3)
        everything = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        assert set(names) <= set(everything) and "ContinuationToken" not in s3.list_buckets()
        for bad in ("0", "10001", "x"):
            req = AWSRequest(method="GET", url=f"{oosd.endpoint}/?max-buckets={bad}",
                             headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
            SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "s3", "cn").add_auth(req)
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(urllib.request.Request(req.url, headers=dict(req.headers)))
            assert e.value.code == 400 and b"<Code>InvalidArgument</Code>" in e.value.read(), bad
    finally:
        for n in names:
            s3.delete_bucket(Bucket=n)


def test_part_number_past_the_last_part(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=b"only")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="mp", PartNumber=1)["Body"].read() == b"only"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert (e.value.response["ResponseMetadata"]["HTTPStatusCode"], error_code(e)) == (400, "InvalidPart")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def cors_get(url, headers, method="GET"):
    req = urllib.request.Request(url, headers=headers, method=method, data=b"" if method == "PUT" else None)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def test_cors_wildcards_on_actual_requests(oosd, s3, bucket):
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*suffix"]},
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["start*end"]},
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["prefix*"]},
        {"AllowedMethods": ["PUT"], "AllowedOrigins": ["*.put"]},
    ]})
    url = f"{oosd.endpoint}/{bucket}"
    for origin, allowed in [("foo.suffix", True), ("foo.bar", False), ("foo.suffix.get", False),
                            ("startend", True), ("start12end", True), ("0start12end", False),
                            ("prefix", True), ("prefix.suffix", True), ("bla.prefix", False)]:
        status, headers = cors_get(url, {"Origin": origin})
        assert status == 200
        assert headers.get("Access-Control-Allow-Origin") == (origin if allowed else None), origin
        if allowed:
            assert headers.get("Access-Control-Allow-Methods") == "GET"
    obj = f"{url}/missing"
    status, headers = cors_get(obj, {"Origin": "foo.suffix"})
    assert (status, headers.get("Access-Control-Allow-Origin")) == (404, "foo.suffix")
    # An actual request that names Access-Control-Request-Method is matched with that method.
    status, headers = cors_get(obj, {"Origin": "foo.suffix", "Access-Control-Request-Method": "GET"}, "PUT")
    assert (status, headers.get("Access-Control-Allow-Methods")) == (403, "GET")
    status, headers = cors_get(obj, {"Origin": "foo.suffix", "Access-Control-Request-Method": "PUT"}, "PUT")
    assert (status, headers.get("Access-Control-Allow-Origin")) == (403, None)
    status, headers = cors_get(obj, {"Origin": "foo.put"}, "PUT")
    assert (status, headers.get("Access-Control-Allow-Origin"), headers.get("Access-Control-Allow-Methods")) == (
        403, "foo.put", "PUT")
