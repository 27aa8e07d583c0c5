"""S3 conditional writes: PutObject and CompleteMultipartUpload with If-None-Match: * and
If-Match, as boto3 sends them. A failed condition changes nothing."""

import threading

import botocore
import pytest

from conftest import error_code

MIB = 1024 * 1024


def test_put_if_none_match(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert error_code(e) == "PreconditionFailed"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"


def test_put_if_match(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="v", Body=b"one")["ETag"]
    etag2 = s3.put_object(Bucket=bucket, Key="v", Body=b"two", IfMatch=etag)["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="v", Body=b"three", IfMatch=etag)  # stale
    assert error_code(e) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="v")["ETag"] == etag2
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="absent", Body=b"x", IfMatch=etag)
    assert error_code(e) == "NoSuchKey"


def test_only_one_racing_create_wins(s3, bucket):
    """Eight writers race to create one key with If-None-Match: *: exactly one succeeds."""
    results = []

    def create(i):
        try:
            s3.put_object(Bucket=bucket, Key="race", Body=f"writer {i}".encode() * 5000, IfNoneMatch="*")
            results.append(("ok", i))
        except botocore.exceptions.ClientError as e:
            results.append((error_code(e), i))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for code, i in results if code == "ok"]
    assert len(winners) == 1, results
    assert all(code in ("ok", "PreconditionFailed") for code, _ in results)
    assert s3.get_object(Bucket=bucket, Key="race")["Body"].read() == f"writer {winners[0]}".encode() * 5000


def test_complete_multipart_if_none_match(s3, bucket):
    s3.put_object(Bucket=bucket, Key="mp", Body=b"already here")
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"p" * MIB)["ETag"]
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload=parts,
                                     IfNoneMatch="*")
    assert error_code(e) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"already here"
    # The upload is still there: completing it unconditionally works.
    assert len(s3.list_parts(Bucket=bucket, Key="mp", UploadId=up["UploadId"])["Parts"]) == 1
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload=parts)
    assert s3.head_object(Bucket=bucket, Key="mp")["ContentLength"] == MIB


def test_unsupported_condition_values(oosd, s3, bucket):
    def with_header(name, value):
        def hook(request, **kw):
            request.headers[name] = value
        return hook

    hook = with_header("If-None-Match", '"abc"')
    s3.meta.events.register("before-sign.s3.PutObject", hook)
    try:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.put_object(Bucket=bucket, Key="n", Body=b"x")
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", hook)
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="n")


def test_refused_body_closes_the_connection(oosd, s3, bucket):
    """A PUT refused before its body was read answers `Connection: close`, so the unread body
    can never be parsed as the next request on a kept-alive connection."""
    import socket
    import urllib.parse

    etag = s3.put_object(Bucket=bucket, Key="kept", Body=b"one")["ETag"]
    url = urllib.parse.urlparse(oosd.endpoint)
    body = b"GET /x HTTP/1.1\r\nHost: y\r\n\r\n" * 4  # would be a request if left on the socket
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(f"PUT /{bucket}/kept HTTP/1.1\r\nHost: {url.netloc}\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break  # the server closed the connection
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 403"), head
    assert "connection: close" in head
    assert data.count(b"HTTP/1.1 ") == 1, data  # the body was not served as requests
    assert s3.get_object(Bucket=bucket, Key="kept")["ETag"] == etag
