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


def _timed_get(url):
    t = time.time()
    data = urllib.request.urlopen(url).read()
    return data, time.time() - t


def test_throttle_accuracy_within_20_percent(oosd, s3v2, bucket):
    """Downloads and uploads at 256 KiB/s and 512 KiB/s: the achieved rate is within ±20 %."""
    body = bytes(range(256)) * (4 * KIB)  # 1 MiB
    s3v2.put_object(Bucket=bucket, Key="paced", Body=body)
    url = s3v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "paced"}, ExpiresIn=600)
    for rate in (256, 512):
        data, took = _timed_get(f"{url}&x-amz-limit=rate%3D{rate}")
        assert data == body
        achieved = len(body) / KIB / took
        print(f"download at rate={rate} KiB/s: {achieved:.1f} KiB/s")
        assert 0.8 * rate <= achieved <= 1.2 * rate, f"download at {rate} KiB/s: {achieved:.1f} KiB/s"

    def hook(request, **kw):
        request.headers["x-amz-limit"] = "rate=512"
    s3v2.meta.events.register("before-sign.s3.PutObject", hook)
    try:
        t = time.time()
        s3v2.put_object(Bucket=bucket, Key="paced-up", Body=body)
        achieved = len(body) / KIB / (time.time() - t)
    finally:
        s3v2.meta.events.unregister("before-sign.s3.PutObject", hook)
    print(f"upload at rate=512 KiB/s: {achieved:.1f} KiB/s")
    assert 0.8 * 512 <= achieved <= 1.2 * 512, f"upload at 512 KiB/s: {achieved:.1f} KiB/s"


def test_concurrency_cap_per_link(oosd, s3v2, bucket):
    """`concurrency=1` on a shared link: a second download while the first runs is 503
    SlowDown; another link (or the plain URL) is not affected; the slot frees when done."""
    import threading

    body = b"c" * (384 * KIB)  # 3 s at 128 KiB/s
    s3v2.put_object(Bucket=bucket, Key="one-at-a-time", Body=body)
    url = s3v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "one-at-a-time"}, ExpiresIn=600)
    limited = url + "&x-amz-limit=rate%3D128,concurrency%3D1"
    result = {}
    first = threading.Thread(target=lambda: result.update(data=urllib.request.urlopen(limited).read()))
    first.start()
    time.sleep(0.8)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(limited)
    assert e.value.code == 503 and b"SlowDown" in e.value.read()
    assert urllib.request.urlopen(url).read() == body, "without a cap the same link takes no slot"
    first.join()
    assert result["data"] == body
    assert urllib.request.urlopen(limited).read() == body, "the slot is free again"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url + "&x-amz-limit=rate%3D128,concurrency%3D0")
    assert e.value.code == 400


def test_v4_shared_link_signs_its_limit(oosd, s3, bucket):
    """With SigV4 the limit is part of the signed query (B 7): the link is throttled, and a
    link whose limit was edited after signing is refused."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from conftest import ACCESS_KEY, SECRET_KEY

    body = bytes(range(256)) * (2 * KIB)  # 512 KiB
    s3.put_object(Bucket=bucket, Key="v4-shared", Body=body)
    req = AWSRequest(method="GET", url=f"{oosd.endpoint}/{bucket}/v4-shared?x-amz-limit=rate%3D256")
    S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "cn", expires=600).add_auth(req)
    data, took = _timed_get(req.url)
    assert data == body
    achieved = len(body) / KIB / took
    assert 0.8 * 256 <= achieved <= 1.2 * 256, f"{achieved:.1f} KiB/s"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req.url.replace("rate%3D256", "rate%3D4096"))
    assert e.value.code == 403 and b"SignatureDoesNotMatch" in e.value.read()


def test_many_slow_links_at_once(oosd, s3v2, bucket):
    """200 shared links at 128 KiB/s at the same time: each runs at its own pace (throttling
    holds no thread), all finish in about the time of one, and the server's memory grows by
    little more than the bytes in flight."""
    import threading

    body = bytes(range(256)) * KIB  # 256 KiB: 2 s at 128 KiB/s
    s3v2.put_object(Bucket=bucket, Key="crowd", Body=body)
    url = s3v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "crowd"}, ExpiresIn=600)
    url += "&x-amz-limit=rate%3D128"

    def rss_kib():
        for line in open(f"/proc/{oosd.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    before = rss_kib()
    peak = [before]
    ok = []

    def fetch():
        if urllib.request.urlopen(url, timeout=60).read() == body:
            ok.append(1)

    threads = [threading.Thread(target=fetch) for _ in range(200)]
    t = time.time()
    for th in threads:
        th.start()
    while any(th.is_alive() for th in threads):
        peak.append(rss_kib())
        time.sleep(0.2)
    took = time.time() - t
    grew_mib = (max(peak) - before) / 1024
    print(f"200 links at 128 KiB/s: {took:.1f}s, server RSS +{grew_mib:.0f} MiB")
    assert len(ok) == 200
    assert took < 8, f"200 links of 2 s each took {took:.1f}s"
    assert grew_mib < 200, f"server memory grew by {grew_mib:.0f} MiB"
