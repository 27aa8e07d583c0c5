"""Everyday bucket and object work through boto3, signed with SigV4 and with SigV2."""

import hashlib
import io
import os
import uuid

import botocore
import pytest

from conftest import error_code


@pytest.fixture(params=["s3v4", "s3"])
def client(request, oosd):
    return oosd.client(request.param)


def test_put_then_get_returns_same_bytes(client, bucket):
    body = os.urandom(100_000)
    put = client.put_object(Bucket=bucket, Key="dir/obj.bin", Body=body)
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = client.get_object(Bucket=bucket, Key="dir/obj.bin")
    assert got["Body"].read() == body
    assert got["ContentLength"] == len(body)
    assert got["ETag"] == put["ETag"]


def test_small_object_round_trip_and_head(client, bucket):
    client.put_object(
        Bucket=bucket, Key="small.txt", Body=b"hello", ContentType="text/plain",
        CacheControl="max-age=60", ContentDisposition="attachment", ContentEncoding="identity",
        Metadata={"color": "blue", "n": "1"}, StorageClass="EC_2_1",
    )
    head = client.head_object(Bucket=bucket, Key="small.txt")
    assert head["ContentLength"] == 5
    assert head["ContentType"] == "text/plain"
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentDisposition"] == "attachment"
    assert head["Metadata"] == {"color": "blue", "n": "1"}
    assert head["StorageClass"] == "EC_2_1"
    assert client.get_object(Bucket=bucket, Key="small.txt")["Body"].read() == b"hello"


def test_empty_object(client, bucket):
    client.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = client.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_missing_key_is_no_such_key(client, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.get_object(Bucket=bucket, Key="nope")
    assert error_code(e) == "NoSuchKey"
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.head_object(Bucket=bucket, Key="nope")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_overwrite_replaces_and_delete_is_204_even_when_absent(client, bucket):
    client.put_object(Bucket=bucket, Key="k", Body=b"one" * 10000)
    client.put_object(Bucket=bucket, Key="k", Body=b"two")
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    r = client.delete_object(Bucket=bucket, Key="k")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    r = client.delete_object(Bucket=bucket, Key="k")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError):
        client.head_object(Bucket=bucket, Key="k")


def test_ranges(client, bucket):
    body = bytes(range(256)) * 400
    client.put_object(Bucket=bucket, Key="r", Body=body)
    r = client.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert r["ContentRange"] == "bytes 10-19/%d" % len(body)
    assert r["Body"].read() == body[10:20]
    assert client.get_object(Bucket=bucket, Key="r", Range="bytes=-5")["Body"].read() == body[-5:]
    assert client.get_object(Bucket=bucket, Key="r", Range="bytes=102395-")["Body"].read() == body[102395:]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.get_object(Bucket=bucket, Key="r", Range="bytes=200000-")
    assert error_code(e) == "InvalidRange"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_conditional_get(client, bucket):
    etag = client.put_object(Bucket=bucket, Key="c", Body=b"x")["ETag"]
    assert client.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"x"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    import datetime
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.get_object(Bucket=bucket, Key="c", IfModifiedSince=future)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert client.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)["Body"].read() == b"x"


def test_response_overrides(client, bucket):
    client.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    r = client.get_object(Bucket=bucket, Key="o", ResponseContentType="image/png",
                          ResponseContentDisposition="inline; filename=a.png", ResponseCacheControl="no-cache")
    assert r["ContentType"] == "image/png"
    assert r["ContentDisposition"] == "inline; filename=a.png"
    assert r["CacheControl"] == "no-cache"


def test_bad_content_md5_is_bad_digest_and_stores_nothing(s3, bucket):
    import base64
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"data", ContentMD5=wrong)
    assert error_code(e) == "BadDigest"
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="bad")


def test_checksum_is_verified_and_returned(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="ck", Body=b"checksum me", ChecksumAlgorithm="SHA256")
    expected = __import__("base64").b64encode(hashlib.sha256(b"checksum me").digest()).decode()
    assert r["ChecksumSHA256"] == expected
    h = s3.head_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert h["ChecksumSHA256"] == expected
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="ck2", Body=b"data", ChecksumSHA256=expected)
    assert error_code(e) == "BadDigest"


def test_user_metadata_limit(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"big": "v" * 2100})
    assert error_code(e) == "MetadataTooLarge"


def test_invalid_storage_class(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="m", Body=b"x", StorageClass="EC_X_Y")
    assert error_code(e) == "InvalidStorageClass"


def test_key_too_long(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_code(e) == "KeyTooLongError"
    s3.put_object(Bucket=bucket, Key="k" * 1024, Body=b"x")


def test_odd_keys_round_trip(client, bucket):
    keys = ["a b", "a+b", "ä/ö/ü", "q?x=1&y", "pct%20", "semi;colon", "tilde~", "star*", "quote'\"", "hash#x"]
    for k in keys:
        client.put_object(Bucket=bucket, Key=k, Body=k.encode())
    for k in keys:
        assert client.get_object(Bucket=bucket, Key=k)["Body"].read() == k.encode()
    listed = [o["Key"] for o in client.list_objects(Bucket=bucket)["Contents"]]
    assert sorted(listed, key=lambda s: s.encode()) == listed
    assert set(listed) == set(keys)


def test_304_and_412_carry_etag_and_last_modified(client, bucket):
    etag = client.put_object(Bucket=bucket, Key="v", Body=b"validators")["ETag"]
    last_modified = client.head_object(Bucket=bucket, Key="v")["ResponseMetadata"]["HTTPHeaders"]["last-modified"]
    for call, kw, status in [
        (client.get_object, {"IfNoneMatch": etag}, 304),
        (client.head_object, {"IfNoneMatch": etag}, 304),
        (client.get_object, {"IfMatch": '"0000"'}, 412),
        (client.head_object, {"IfMatch": '"0000"'}, 412),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(Bucket=bucket, Key="v", **kw)
        meta = e.value.response["ResponseMetadata"]
        assert meta["HTTPStatusCode"] == status
        assert meta["HTTPHeaders"].get("etag") == etag, (call.__name__, status)
        assert meta["HTTPHeaders"].get("last-modified") == last_modified
