"""aws-cli against oosd: cp of a 50 MiB file (multipart), sync, ls, rm --recursive."""

import os
import pathlib
import subprocess
import sys

import pytest

from conftest import ACCESS_KEY, SECRET_KEY

AWS = str(pathlib.Path(sys.executable).parent / "aws")


def aws(oosd, *args, check=True):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_DEFAULT_REGION="cn", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    r = subprocess.run([AWS, "--endpoint-url", oosd.endpoint, *args], capture_output=True, text=True, env=env, timeout=600)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_cp_50mib_goes_multipart_and_round_trips(oosd, s3, bucket, tmp_path):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(50 * 1024 * 1024))
    aws(oosd, "s3", "cp", str(src), f"s3://{bucket}/big.bin")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 50 * 1024 * 1024
    assert head["ETag"].strip('"').endswith("-7"), head["ETag"]  # 8 MiB parts
    dst = tmp_path / "back.bin"
    aws(oosd, "s3", "cp", f"s3://{bucket}/big.bin", str(dst))
    assert dst.read_bytes() == src.read_bytes()


def test_sync_ls_rm_recursive(oosd, s3, bucket, tmp_path):
    local = tmp_path / "tree"
    (local / "sub" / "deeper").mkdir(parents=True)
    files = {"a.txt": b"alpha", "sub/b.txt": b"beta", "sub/deeper/c.bin": os.urandom(100_000)}
    for name, data in files.items():
        (local / name).write_bytes(data)
    aws(oosd, "s3", "sync", str(local), f"s3://{bucket}/tree")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == sorted("tree/" + n for n in files)
    # A second sync uploads nothing.
    again = aws(oosd, "s3", "sync", str(local), f"s3://{bucket}/tree")
    assert "upload:" not in again.stdout
    listing = aws(oosd, "s3", "ls", f"s3://{bucket}/tree/").stdout
    assert "PRE sub/" in listing and "a.txt" in listing
    recursive = aws(oosd, "s3", "ls", "--recursive", f"s3://{bucket}/").stdout
    assert recursive.count("tree/") == 3
    buckets = aws(oosd, "s3", "ls").stdout
    assert bucket in buckets
    back = tmp_path / "back"
    aws(oosd, "s3", "sync", f"s3://{bucket}/tree", str(back))
    for name, data in files.items():
        assert (back / name).read_bytes() == data
    aws(oosd, "s3", "rm", "--recursive", f"s3://{bucket}/tree")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_mb_with_region_location_constraint_and_rb(oosd, s3):
    # aws-cli sends its region as the AWS LocationConstraint; any region name is accepted.
    aws(oosd, "s3", "mb", "s3://cli-made-bucket")
    assert "cli-made-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    aws(oosd, "s3", "rb", "s3://cli-made-bucket")
    assert "cli-made-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_sync_with_empty_files_does_not_stall(oosd, s3, bucket, tmp_path):
    """aws-cli v1 sends `Expect: 100-continue` on zero-byte PUTs; answering such a request
    without `Connection: close` left it misreading the next response on the connection and
    waiting out its 60 s read timeout (a 20-file sync took a minute)."""
    import time
    local = tmp_path / "mixed"
    local.mkdir()
    for i in range(10):
        (local / f"empty{i}").write_bytes(b"")
        (local / f"full{i}").write_bytes(b"x" * (i + 1))
    t0 = time.monotonic()
    aws(oosd, "s3", "sync", str(local), f"s3://{bucket}/mixed")
    took = time.monotonic() - t0
    sizes = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="mixed/")["Contents"]}
    assert sizes == {**{f"mixed/empty{i}": 0 for i in range(10)}, **{f"mixed/full{i}": i + 1 for i in range(10)}}
    # Not a speed target: the stall lasts until a timeout ends the confused connection (the
    # client's 60 s, or the server's 20 s head timeout); a sync of 20 tiny files takes ~2 s.
    assert took < 10, f"sync took {took:.1f} s"


def test_s3api_object_lock(oosd, tmp_path):
    """aws s3api: a bucket with Object Lock and a default retention; a locked version's delete
    is refused until the governance bypass; retention and legal hold read back."""
    import json
    import uuid
    name = "cli-l-" + uuid.uuid4().hex[:12]
    aws(oosd, "s3api", "create-bucket", "--bucket", name, "--object-lock-enabled-for-bucket")
    aws(oosd, "s3api", "put-object-lock-configuration", "--bucket", name, "--object-lock-configuration",
        '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1}}}')
    conf = json.loads(aws(oosd, "s3api", "get-object-lock-configuration", "--bucket", name).stdout)
    assert conf["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 1}
    src = tmp_path / "f"
    src.write_bytes(b"record")
    # aws-cli v1 sends Content-MD5 on put-object, as a default retention requires.
    v = json.loads(aws(oosd, "s3api", "put-object", "--bucket", name, "--key", "f", "--body", str(src)).stdout)["VersionId"]
    ret = json.loads(aws(oosd, "s3api", "get-object-retention", "--bucket", name, "--key", "f").stdout)
    assert ret["Retention"]["Mode"] == "GOVERNANCE"
    r = aws(oosd, "s3api", "delete-object", "--bucket", name, "--key", "f", "--version-id", v, check=False)
    assert r.returncode != 0 and "AccessDenied" in r.stderr, r.stderr
    aws(oosd, "s3api", "put-object-legal-hold", "--bucket", name, "--key", "f", "--legal-hold", "Status=ON")
    hold = json.loads(aws(oosd, "s3api", "get-object-legal-hold", "--bucket", name, "--key", "f").stdout)
    assert hold["LegalHold"]["Status"] == "ON"
    r = aws(oosd, "s3api", "delete-object", "--bucket", name, "--key", "f", "--version-id", v,
            "--bypass-governance-retention", check=False)
    assert r.returncode != 0 and "AccessDenied" in r.stderr, "a legal hold outlasts the bypass"
    aws(oosd, "s3api", "put-object-legal-hold", "--bucket", name, "--key", "f", "--legal-hold", "Status=OFF")
    aws(oosd, "s3api", "delete-object", "--bucket", name, "--key", "f", "--version-id", v,
        "--bypass-governance-retention")
    aws(oosd, "s3api", "delete-bucket", "--bucket", name)


def test_s3api_versioning_restore(oosd, s3, tmp_path):
    """aws s3api: enable versioning, overwrite and delete, list versions, restore the first."""
    import json
    import uuid
    from test_versioning import purge
    name = "cli-v-" + uuid.uuid4().hex[:12]
    aws(oosd, "s3api", "create-bucket", "--bucket", name)
    try:
        aws(oosd, "s3api", "put-bucket-versioning", "--bucket", name,
            "--versioning-configuration", "Status=Enabled")
        status = json.loads(aws(oosd, "s3api", "get-bucket-versioning", "--bucket", name).stdout)
        assert status["Status"] == "Enabled"
        src = tmp_path / "f"
        ids = []
        for text in (b"first", b"second"):
            src.write_bytes(text)
            out = aws(oosd, "s3api", "put-object", "--bucket", name, "--key", "f", "--body", str(src)).stdout
            ids.append(json.loads(out)["VersionId"])
        out = json.loads(aws(oosd, "s3api", "delete-object", "--bucket", name, "--key", "f").stdout)
        assert out["DeleteMarker"] is True
        listed = json.loads(aws(oosd, "s3api", "list-object-versions", "--bucket", name).stdout)
        assert [v["VersionId"] for v in listed["Versions"]] == [ids[1], ids[0]]
        assert [m["IsLatest"] for m in listed["DeleteMarkers"]] == [True]
        aws(oosd, "s3api", "copy-object", "--bucket", name, "--key", "f",
            "--copy-source", f"{name}/f?versionId={ids[0]}")
        got = tmp_path / "got"
        aws(oosd, "s3api", "get-object", "--bucket", name, "--key", "f", str(got))
        assert got.read_bytes() == b"first"
    finally:
        purge(s3, name)


def test_cp_with_sse_and_sse_c(oosd, s3, bucket, tmp_path):
    """aws s3 cp --sse AES256 and --sse-c with a 20 MiB file (multipart: every part carries the
    customer key), and the s3api bucket encryption calls."""
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(20 * 1024 * 1024))
    aws(oosd, "s3", "cp", "--sse", "AES256", str(src), f"s3://{bucket}/s3.bin")
    assert s3.head_object(Bucket=bucket, Key="s3.bin")["ServerSideEncryption"] == "AES256"
    key = tmp_path / "key.bin"
    key.write_bytes(os.urandom(32))
    aws(oosd, "s3", "cp", "--sse-c", "AES256", "--sse-c-key", f"fileb://{key}", str(src), f"s3://{bucket}/c.bin")
    # Without the key the object cannot be read; with it, it round-trips.
    assert aws(oosd, "s3", "cp", f"s3://{bucket}/c.bin", str(tmp_path / "nokey.bin"), check=False).returncode != 0
    back = tmp_path / "back.bin"
    aws(oosd, "s3", "cp", "--sse-c", "AES256", "--sse-c-key", f"fileb://{key}", f"s3://{bucket}/c.bin", str(back))
    assert back.read_bytes() == src.read_bytes()
    aws(oosd, "s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration",
        '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}')
    got = aws(oosd, "s3api", "get-bucket-encryption", "--bucket", bucket).stdout
    assert '"SSEAlgorithm": "AES256"' in got
    aws(oosd, "s3", "cp", str(key), f"s3://{bucket}/default.bin")
    assert s3.head_object(Bucket=bucket, Key="default.bin")["ServerSideEncryption"] == "AES256"
