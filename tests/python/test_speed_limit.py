"""Speed limits (`x-amz-limit`, `x-amz-limitrate`): shared links with their own download speed,
and throttled uploads. Rates are KiB/s, at least 128."""

import time
import urllib.error
import urllib.request

import botocore
import pytest

from conftest import error_code

KIB = 1024


def test_shared_link_with_speed_limit(oosd, s3v2, bucket):
    body = bytes(range(256)) * KIB  # 256 KiB
    s3v2.put_object(Bucket=bucket, Key="shared", Body=body)
    url = s3v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared"}, ExpiresIn=600)
    t = time.time()
    assert urllib.request.urlopen(url).read() == body
    fast = time.time() - t
    # SigV2 does not sign x-amz-limit: the link's owner appends it (OOS shared links).
    for extra in ("&x-amz-limit=rate%3D128", "&x-amz-limitrate=128"):
        t = time.time()
        assert urllib.request.urlopen(url + extra).read() == body
        slow = time.time() - t
        assert slow >= 1.7, f"256 KiB at 128 KiB/s took {slow:.2f}s"
        assert fast * 2 < slow, "the unlimited link is much faster"


def test_upload_speed_limit_and_bad_values(oosd, s3, bucket):
    def add_limit(value):
        def hook(request, **kw):
            request.headers["x-amz-limit"] = value
        return hook

    hook = add_limit("rate=100")  # raised to 128 KiB/s
    s3.meta.events.register("before-sign.s3.PutObject", hook)
    try:
        t = time.time()
        s3.put_object(Bucket=bucket, Key="up", Body=b"u" * (256 * KIB))
        assert time.time() - t >= 1.7
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", hook)
    assert s3.head_object(Bucket=bucket, Key="up")["ContentLength"] == 256 * KIB
    for bad in ("rate=0", "rate=fast", "speed=1"):
        hook = add_limit(bad)
        s3.meta.events.register("before-sign.s3.GetObject", hook)
        try:
            with pytest.raises(botocore.exceptions.ClientError) as e:
                s3.get_object(Bucket=bucket, Key="up")
            assert error_code(e) == "InvalidArgument"
        finally:
            s3.meta.events.unregister("before-sign.s3.GetObject", hook)
