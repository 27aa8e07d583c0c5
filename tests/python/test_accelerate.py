"""OOS bucket acceleration: PUT / GET ?accelerate as the SDK guide calls them, and anonymous
reads admitted from white-listed addresses while Enabled."""

import botocore
import pytest

from accounts_helpers import anonymous
from conftest import error_code


def test_guide_accelerate_calls_and_white_list(oosd, s3, bucket):
    assert "Status" not in s3.get_bucket_accelerate(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="cdn.bin", Body=b"origin bytes")
    anon = anonymous(oosd)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        anon.get_object(Bucket=bucket, Key="cdn.bin")
    assert error_code(e) == "AccessDenied"
    s3.put_bucket_accelerate(Bucket=bucket, AccelerateConfiguration={
        "Status": "Enabled", "IPWhiteLists": ["127.0.0.0/8", "::1", "36.111.88.0/24"]})
    got = s3.get_bucket_accelerate(Bucket=bucket)
    assert got["Status"] == "Enabled"
    assert got["IPWhiteLists"] == ["127.0.0.0/8", "::1", "36.111.88.0/24"]
    assert anon.get_object(Bucket=bucket, Key="cdn.bin")["Body"].read() == b"origin bytes"
    assert anon.head_object(Bucket=bucket, Key="cdn.bin")["ContentLength"] == 12
    # Only reads: listing and writes stay private.
    with pytest.raises(botocore.exceptions.ClientError):
        anon.list_objects(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError):
        anon.put_object(Bucket=bucket, Key="x", Body=b"x")
    s3.put_bucket_accelerate(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled", "IPWhiteLists": ["10.0.0.0/8"]})
    with pytest.raises(botocore.exceptions.ClientError):
        anon.get_object(Bucket=bucket, Key="cdn.bin")
    s3.put_bucket_accelerate(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended", "IPWhiteLists": ["127.0.0.1"]})
    assert s3.get_bucket_accelerate(Bucket=bucket)["Status"] == "Suspended"
    with pytest.raises(botocore.exceptions.ClientError):
        anon.get_object(Bucket=bucket, Key="cdn.bin")


@pytest.mark.parametrize("config,code", [
    ({"Status": "Maybe"}, "InvalidStatusParam"),
    ({"Status": "Enabled", "IPWhiteLists": ["1.2.3.4", "1.2.3.5", "1.2.3.6", "1.2.3.7", "1.2.3.8", "1.2.3.9"]},
     "NotMoreThan5IPSections"),
    ({"Status": "Enabled", "IPWhiteLists": ["300.1.1.1"]}, "InvalidIpAddress"),
    ({"IPWhiteLists": ["1.2.3.4"]}, "InvalidArgument"),
])
def test_accelerate_validation(s3, bucket, config, code):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_bucket_accelerate(Bucket=bucket, AccelerateConfiguration=config)
    assert error_code(e) == code
    assert "Status" not in s3.get_bucket_accelerate(Bucket=bucket), "a refused config changes nothing"


def test_white_list_source_from_trusted_proxy_only(oosd, s3, bucket, fresh_dir):
    """The source address is the peer unless the peer is a trusted proxy (config); then the
    client that `X-Forwarded-For` names is checked against the white list."""
    import urllib.error
    import urllib.request

    from conftest import Oosd

    def anon_get(server, bucket, forwarded):
        req = urllib.request.Request(f"{server.endpoint}/{bucket}/cdn.bin", headers={"X-Forwarded-For": forwarded})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    white = {"Status": "Enabled", "IPWhiteLists": ["203.0.113.0/24"]}
    # The shared server trusts no proxy: the header is ignored, the peer (127.0.0.1) is
    # not white-listed.
    s3.put_object(Bucket=bucket, Key="cdn.bin", Body=b"edge")
    s3.put_bucket_accelerate(Bucket=bucket, AccelerateConfiguration=white)
    assert anon_get(oosd, bucket, "203.0.113.9") == 403

    cfg = fresh_dir / "proxy.toml"
    cfg.write_text('trusted_proxies = ["127.0.0.1/32", "::1"]\n')
    server = Oosd(fresh_dir / "data", config=cfg).start()
    try:
        c = server.client()
        c.create_bucket(Bucket="behind-proxy")
        c.put_object(Bucket="behind-proxy", Key="cdn.bin", Body=b"edge")
        c.put_bucket_accelerate(Bucket="behind-proxy", AccelerateConfiguration=white)
        assert anon_get(server, "behind-proxy", "203.0.113.9") == 200
        # The rightmost untrusted hop counts, not what the client prepended.
        assert anon_get(server, "behind-proxy", "203.0.113.9, 198.51.100.7") == 403
        assert anon_get(server, "behind-proxy", "198.51.100.7") == 403
    finally:
        server.stop()
